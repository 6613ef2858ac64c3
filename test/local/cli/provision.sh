#!/usr/bin/env bash
# npm run provision: creates every Cloudflare resource wrangler.toml names, idempotently (an existing resource is
# reported and left alone). Needs `wrangler login` or CLOUDFLARE_API_TOKEN + CLOUDFLARE_ACCOUNT_ID. Then it looks up
# the D1 database's id, prints it, and writes it into wrangler.toml's production [[d1_databases]] block when that
# still holds the placeholder (a real id already there is left alone). Then: npm run deploy.
set -uo pipefail
cd "$(dirname "$0")/../.."
W="${WRANGLER:-node_modules/.bin/wrangler}"
PLACEHOLDER="00000000-0000-0000-0000-000000000000"

# Runs a create command; "already exists" counts as success, anything else fails the script.
ensure() {
  local what="$1"; shift
  local out
  if out=$("$W" "$@" 2>&1); then
    echo "created: $what"
  elif grep -qiE "already (exists|taken)|duplicate|conflict" <<<"$out"; then
    echo "exists:  $what"
  else
    echo "FAILED:  $what"; echo "$out"; exit 1
  fi
}

ensure "D1 database canvas-sync" d1 create canvas-sync
ensure "R2 bucket canvas-sync-blobs" r2 bucket create canvas-sync-blobs
ensure "queue canvas-sync-jobs" queues create canvas-sync-jobs
ensure "queue canvas-sync-extract" queues create canvas-sync-extract
ensure "dead-letter queue canvas-sync-dlq" queues create canvas-sync-dlq
# Lexical trigram vectors: 384 dimensions, cosine. Metadata indexes must exist before the first vector is written.
ensure "Vectorize index canvas-sync-trigrams" vectorize create canvas-sync-trigrams --dimensions=384 --metric=cosine
ensure "metadata index ntrgm" vectorize create-metadata-index canvas-sync-trigrams --propertyName=ntrgm --type=number
ensure "metadata index th" vectorize create-metadata-index canvas-sync-trigrams --propertyName=th --type=string
ensure "metadata index course" vectorize create-metadata-index canvas-sync-trigrams --propertyName=course --type=string

# The database id, from the account's list of D1 databases (JSON), whether it was just created or existed.
if ! list=$("$W" d1 list --json 2>/dev/null); then
  echo "Could not list the D1 databases to find canvas-sync's id; run: $W d1 list"; exit 1
fi
id=$(node -e '
  const wanted = process.argv[1];
  const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const row = (Array.isArray(rows) ? rows : []).find((db) => db.name === wanted);
  if (row && typeof row.uuid === "string") process.stdout.write(row.uuid);
' canvas-sync <<<"$list")
if [ -z "$id" ]; then
  echo "The D1 database canvas-sync was not in the list; run: $W d1 list"; exit 1
fi
echo "D1 database_id of canvas-sync: $id"
# Only the first database_id line is production's: [env.local] comes after it and keeps its placeholder.
first=$(grep -m1 -n '^database_id = ' wrangler.toml)
if grep -q "$PLACEHOLDER" <<<"$first"; then
  line=${first%%:*}
  sed -i "${line}s/$PLACEHOLDER/$id/" wrangler.toml
  echo "wrote it into wrangler.toml (line $line, [[d1_databases]] binding DB)"
elif grep -q "$id" <<<"$first"; then
  echo "wrangler.toml already has it"
else
  echo "wrangler.toml has another database_id on line ${first%%:*}; put $id there if canvas-sync is the database to use"
fi
echo "Apply the schema: $W d1 migrations apply DB --remote"
echo "Set the secrets:  $W secret put CANVAS_TOKEN && $W secret put API_TOKEN"
