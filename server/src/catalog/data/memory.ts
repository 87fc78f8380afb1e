/**
 * Memory and string helpers: they read or write the memory a pointer names
 * and return; they take no reference, lock or mapping and drop none, so
 * handing them a mapped address or a page pointer hands nothing over.
 * Checked against lib/string.c, include/linux/string.h, include/linux/highmem.h.
 */
import type { ApiSpec } from '../schema';

const STRING = 'lib/string.c';

export const MEMORY: readonly ApiSpec[] = [
  { name: 'memcpy', summary: 'Copy n bytes between two buffers.', aliases: ['memmove', '__memcpy'], arity: [3], source: STRING },
  { name: 'memset', summary: 'Fill n bytes with a value.', aliases: ['memzero_explicit'], arity: [2, 3], source: STRING },
  { name: 'memcmp', summary: 'Compare two buffers.', aliases: ['bcmp'], arity: [3], source: STRING },
  { name: 'memchr_inv', summary: 'First byte of the buffer that differs from the value, or NULL.', aliases: ['memchr'], arity: [3], source: STRING },
  { name: 'copy_page', summary: 'Copy one page of memory between two kernel addresses.', aliases: ['clear_page'], arity: [1, 2], source: 'arch/*/include/asm/page*.h' },
  { name: 'memcpy_from_page', summary: 'Copy from a page through a short kmap_local mapping it opens and closes itself.', aliases: ['memcpy_to_page', 'memzero_page', 'memcpy_from_folio', 'memcpy_to_folio'], arity: [3, 4], source: 'include/linux/highmem.h' },
];
