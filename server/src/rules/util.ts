/**
 * Compatibility re-exports for rule modules not yet moved to the facts layer
 * (the barrier family): positions and text helpers now live in c/facts.
 */
export { balanced, normObject, usage, mentions, errorishValue, posOf, nodePos, astPos, replaceNode } from '../c/facts';
