// emcc-flags.d.mts: types of `cfuture/emcc-flags` (scripts/emcc-flags.mjs).

/** A flavour of scripts/emcc-flags.json: 'default' (web,worker,node), 'web' (web,worker) or 'threads' (cf_spawn_blocking, -pthread). */
export type Flavour = 'default' | 'web' | 'threads';

export interface FlagList {
  flavours: Record<string, { environment: string; why: string; library?: string; compile?: Array<{ args: string[]; why: string }>; link?: Array<{ args: string[]; why: string }> }>;
  link: Array<{ args: string[]; why: string; env?: string; forEach?: string }>;
  /** Added for modules with fiber tasks (Asyncify). */
  fibers: { link: Array<{ args: string[]; why: string }> };
  prebuilt: Record<string, unknown>;
}

/** The parsed scripts/emcc-flags.json. */
export declare function flagList(): FlagList;
/** The JS libraries in link order. */
export declare function jsLibraries(): string[];
/** The names in bindings/exports.txt. */
export declare function exportedFunctions(): string[];
/** The module link flags of a flavour (without the static library); `fibers` adds Asyncify for fiber tasks. */
export declare function linkFlags(options?: { flavour?: Flavour; explain?: false; fibers?: boolean }): string[];
export declare function linkFlags(options: { flavour?: Flavour; explain: true; fibers?: boolean }): Array<{ args: string[]; why: string }>;
/** All flags a user's emcc command needs: -I, the static library and the link flags (`fibers`: a fiber module). */
export declare function cfutureFlags(options?: { cflags?: boolean; libs?: boolean; flavour?: Flavour; fibers?: boolean }): string[];
