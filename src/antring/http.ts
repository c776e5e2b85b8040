// The fetch the AntRing client uses: the upstream kit's one fetch shape and keep-alive factory (upstream/fetch.ts),
// re-exported under their historical path.
export { keepAliveFetch, type FetchInit, type FetchLike, type FetchResponseLike, type KeepAliveFetch } from '../upstream/fetch.js';
