import { env } from 'cloudflare:workers';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as tables from '../../worker/store/tables.ts';
import { rowsPerStatement } from '../../worker/store/consumer.ts';

describe('drizzle tables', () => {
  it.each(Object.values(tables).map((t) => [getTableName(t), t] as const))('%s matches the migrations', async (name, table) => {
    const info = await env.DB.prepare(`PRAGMA table_info(${name})`).all<{ name: string; notnull: number }>();
    const fromMigrations = Object.fromEntries(info.results.map((c) => [c.name, c.notnull === 1]));
    const fromDrizzle = Object.fromEntries(Object.values(getTableColumns(table)).map((c) => [c.name, c.notNull && !c.primary]));
    for (const [column, notNull] of Object.entries(fromDrizzle)) {
      expect(fromMigrations, column).toHaveProperty(column);
      if (notNull) expect(fromMigrations[column], column).toBe(true);
    }
    expect(Object.keys(fromMigrations).sort()).toEqual(Object.keys(fromDrizzle).sort());
  });

  it('keeps every multi-row insert within 100 bound parameters', () => {
    for (const table of Object.values(tables)) {
      expect(rowsPerStatement(table) * Object.keys(getTableColumns(table)).length).toBeLessThanOrEqual(100);
    }
  });
});
