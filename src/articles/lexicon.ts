/**
 * compromise's word model (its lexicon of tagged words, and the words that mark places and
 * organisations), which typed spans, people and answer types read; its tagger is never used.
 * Loaded from compromise's single-file CommonJS build: its ES module source is a tree of files,
 * each a separate load, and took twice as long at every start (280 ms against 155 ms here).
 */
import { createRequire } from 'node:module';

export interface WordModel {
  one: { lexicon: Record<string, string | string[]> };
  two: { placeWords: Record<string, boolean>; orgWords: Record<string, boolean> };
}

const compromise = createRequire(import.meta.url)('compromise') as { model(): WordModel };

export const WORD_MODEL: WordModel = compromise.model();
