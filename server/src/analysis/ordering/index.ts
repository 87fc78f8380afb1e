/**
 * The ordering analysis: facts about memory ordering in the functions of a
 * document, for the barrier rules (server/src/rules/barrier/).
 *
 * - events.ts   memory events per CFG node (stores, loads, RMWs, fences,
 *               locks and sections, opaque calls), locks held, per-CPU data;
 * - search.ts   forward search from a store to the loads it can pass,
 *               weak and misused barriers on the way; racy hint updates;
 * - docIndex.ts the document's functions: which order (summaries by name),
 *               which store A then load B, which load a location;
 * - protocols.ts store-buffering protocols across functions and callers;
 * - waker.ts    the sleep/wake-up protocol's waker side;
 * - sleeper.ts  its sleeper side (the task state stored before the test);
 * - macros.ts   function-like macros the document defines;
 * - changelog.ts the commit message, and the sentence explaining a removal.
 * Every kernel fact comes from the catalog.
 */
export * from './types';
export * from './events';
export * from './search';
export * from './docIndex';
export * from './protocols';
export * from './waker';
export * from './sleeper';
export * from './macros';
export * from './changelog';
export * from './storeLoad';
export * from './readers';
