import { describe, expect, it } from 'vitest';
import { OPS } from '../src/workload/event.js';
import {
  COMMON_OPTIONAL,
  FIELD_SCHEMAS,
  OP_FORMATS,
  workloadSchema,
} from '../src/workload/format.js';

describe('workload JSON Schema', () => {
  it('is generated from the same table as the validator: one entry per op, closed objects', () => {
    const s = workloadSchema() as {
      oneOf: Array<{
        title: string;
        required: string[];
        properties: Record<string, unknown>;
        additionalProperties: boolean;
      }>;
    };
    const events = s.oneOf.slice(1);
    expect(events.map((e) => e.title)).toEqual([...OPS]);
    for (const e of events) {
      const f = OP_FORMATS[e.title as keyof typeof OP_FORMATS];
      expect(e.additionalProperties).toBe(false);
      expect(e.required).toEqual(['op', ...f.required]);
      const fields = [...f.required, ...f.optional, ...COMMON_OPTIONAL];
      expect(Object.keys(e.properties).sort()).toEqual(['op', ...fields].sort());
      for (const k of fields) expect(e.properties[k]).toBe(FIELD_SCHEMAS[k]);
    }
    expect(s.oneOf[0]?.title).toBe('header (line 1)');
  });
});
