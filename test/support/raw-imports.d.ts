// Vite's `?raw` suffix imports a file as a string. Declared narrowly for the PostgreSQL outputs
// copied into test/fixtures/pg_trgm, so this does not clash with anyone else's declarations.
declare module "*/pg15-c.utf8-out.csv?raw" {
  const text: string;
  export default text;
}
declare module "*/pg15-c-locale-out.csv?raw" {
  const text: string;
  export default text;
}
