/**
 * consul-template's scratch pad: `{{ scratch.Set "k" v }}`, Get, Key, SetX (set unless present), MapSet,
 * MapSetX, MapValues (values of a map in key order). One pad per render, as consul-template makes one
 * per execution.
 */
import { FuncError, fn, type GoFunction } from '../func-spec.js';
import { goQuote } from '../quote.js';
import { compareGoStrings, GO_METHODS, goStruct, setOwn } from '../values.js';

/** Maps the pad created (only those may be MapSet into). */
const padMaps = new WeakSet<object>();

export class Scratch {
  private readonly values = new Map<string, unknown>();

  static readonly methods: Record<string, GoFunction> = {
    Key: fn(['string'], function (this: Scratch, [k]) {
      return this.values.has(k as string);
    }),
    Get: fn(['string'], function (this: Scratch, [k]) {
      return this.values.get(k as string) ?? null;
    }),
    Set: fn(['string', 'any'], function (this: Scratch, [k, v]) {
      this.values.set(k as string, v);
      return '';
    }),
    SetX: fn(['string', 'any'], function (this: Scratch, [k, v]) {
      if (!this.values.has(k as string)) this.values.set(k as string, v);
      return '';
    }),
    MapSet: fn(['string', 'string', 'any'], function (this: Scratch, [k, mk, v]) {
      return this.mapSet(k as string, mk as string, v, true);
    }),
    MapSetX: fn(['string', 'string', 'any'], function (this: Scratch, [k, mk, v]) {
      return this.mapSet(k as string, mk as string, v, false);
    }),
    MapValues: fn(['string'], function (this: Scratch, [k]) {
      const map = this.values.get(k as string);
      // Go returns a nil []interface{}: it prints as [] and ranges over nothing.
      if (typeof map !== 'object' || map === null || !padMaps.has(map)) return [];
      const record = map as Record<string, unknown>;
      return Object.keys(record)
        .sort(compareGoStrings)
        .map((key) => record[key]);
    }),
  };

  private mapSet(k: string, mk: string, v: unknown, overwrite: boolean): string {
    if (!this.values.has(k)) {
      const created: Record<string, unknown> = {};
      padMaps.add(created);
      this.values.set(k, created);
    }
    const map = this.values.get(k);
    if (typeof map !== 'object' || map === null || !padMaps.has(map))
      throw new FuncError(`${goQuote(k)} is not a map`);
    const record = map as Record<string, unknown>;
    if (overwrite || !Object.hasOwn(record, mk)) setOwn(record, mk, v);
    return '';
  }
}

Object.defineProperty(Scratch.prototype, GO_METHODS, { value: Scratch.methods });
goStruct('*template.Scratch', Scratch.prototype);
