#!/usr/bin/env bash
# npm run provision: creates every Cloudflare resource wrangler.toml names, idempotently (an existing resource is
# reported and left alone). Needs `wrangler login` or CLOUDFLARE_API_TOKEN + CLOUDFLARE_ACCOUNT_ID. After creating
# the D1 database, put the printed database_id into wrangler.toml. Then: npm run deploy.
set -uo pipefail
cd "$(dirname "$0")/../.."
W="node_modules/.bin/wrangler"

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
echo "Apply the schema: $W d1 migrations apply DB --remote"
echo "Set the secrets:  $W secret put CANVAS_TOKEN && $W secret put API_TOKEN"
