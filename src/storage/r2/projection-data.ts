/**
 * Projections too large for a D1 row live whole in R2 (items.data_key, see src/sync/process-entries.ts); their D1
 * row holds them without the rich-text field. Readers that serve the projection put the whole one back.
 */

export async function withFullData<T extends { data: string; dataKey: string | null }>(
  bucket: R2Bucket,
  rows: readonly T[],
): Promise<T[]> {
  return Promise.all(
    rows.map(async (row) => {
      if (row.dataKey === null) return row;
      const object = await bucket.get(row.dataKey);
      return object === null ? row : { ...row, data: await object.text() };
    }),
  );
}
