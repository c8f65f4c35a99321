/* cfuture/fetch_stream.h: the body of a streaming fetch as a stream of
 * chunks (wasm builds only). Include it directly:
 *
 *   #include <cfuture/wasm.h>
 *   #include <cfuture/fetch_stream.h>
 *
 *   cf_fetch_init(&self->fetch, &(cf_fetch_request_t){.url = url,
 *                                .flags = CF_FETCH_STREAM});
 *   CF_AWAIT(self, &self->fetch);               // status and headers
 *   cf_fetch_body_stream_init(&self->body, &self->fetch);
 *   for (;;) {
 *     cf_stream_next_init(&self->next, &self->body.base, &self->chunk);
 *     CF_AWAIT(self, &self->next);
 *     if (self->next.res != CF_STREAM_ITEM) break;   // END or an error
 *     use(self->chunk.data, self->chunk.len);
 *     cf_fetch_chunk_free(&self->chunk);           // the item is yours
 *   }
 *
 * Items are cf_fetch_chunk_t (item_size sizeof(cf_fetch_chunk_t)), never
 * empty; the buffer is cf_malloc'd and owned by whoever received the item:
 * free it with cf_fetch_chunk_free (or hand it on, e.g. through a channel).
 * The host pulls the next chunk from the network only when the stream is
 * polled for one, so a slow consumer (a full channel downstream) slows the
 * download: backpressure reaches the server's socket.
 *
 * Results: chunks; END at the end of the body; an error item (CF_EMSGSIZE
 * past max_body, CF_ENETWORK, CF_ENOMEM, CF_EINVAL if `fetch` is not a
 * completed CF_FETCH_STREAM fetch, CF_EBUSY if a cf_fetch_read_t of the
 * same fetch is pending) followed by END.
 *
 * Ownership: the stream borrows the fetch, which must stay put until the
 * stream is dropped. Dropping the stream cancels the chunk read in flight
 * without losing it (the host keeps it for the next read), so a new
 * stream (or cf_fetch_read_t) on the same fetch continues where this one
 * stopped; dropping the fetch aborts the download. cf_stream_next on it is
 * cancel-safe for the same reason. (One exception: a chunk that already
 * arrived but was held back because the task's coop budget ran out is
 * freed if the stream is dropped before the next poll.)
 *
 * Cost: one host op per chunk; the chunk is copied once into the wasm heap.
 */
#ifndef CFUTURE_FETCH_STREAM_H
#define CFUTURE_FETCH_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_fetch_chunk {
  uint8_t *data; /* len bytes, owned by the receiver of the item */
  size_t len;
  size_t size; /* the allocation's size, for cf_free */
} cf_fetch_chunk_t;

/* Free a chunk's buffer and clear it. Idempotent; NULL ok. */
void cf_fetch_chunk_free(cf_fetch_chunk_t *c);

typedef struct cf_fetch_body_stream {
  cf_stream_t base;
  cf_fetch_t *fetch;  /* borrowed */
  cf_fetch_read_t rd; /* the read in flight (or its undelivered result) */
  uint8_t active;     /* rd was initialised and not yet dropped */
  uint8_t failed;     /* an error item was delivered: END next */
} cf_fetch_body_stream_t;

void cf_fetch_body_stream_init(cf_fetch_body_stream_t *s, cf_fetch_t *fetch);

#ifdef __cplusplus
}
#endif
#endif
