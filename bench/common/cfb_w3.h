/* cfb_w3.h: W3, channel ping-pong, the cfuture side (native and wasm).
 *
 *   pp  n round trips between two tasks through two bounded(1) mpsc
 *       channels of uint64: the root frame sends v, the pong task answers
 *       v + 1 (ns per round trip).
 *   rr  request/reply: n requests over one bounded(1) mpsc; each request
 *       carries the sender of a fresh oneshot for its reply (ns per round
 *       trip, the oneshot's allocation included).
 *
 * The same shapes as the tokio baseline (bench/tokio/src/main.rs) and the
 * JS one (bench/js/w3_pingpong.mjs). Needs include/cfuture/channel.h.
 */
#ifndef CFB_W3_H
#define CFB_W3_H

#include <cfuture/channel.h>

#include "cfb.h"

/* ---- pp ---- */

typedef struct cfb_pong {
  cf_async_t co;
  cf_mpsc_receiver_t rx;
  cf_mpsc_sender_t tx;
  uint64_t v;
  cf_mpsc_recv_t recv;
  cf_mpsc_send_t send;
} cfb_pong_t;

static cf_poll_t cfb_pong_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_pong_t *self = (cfb_pong_t *)f;
  CF_BEGIN(self);
  for (;;) {
    cf_mpsc_recv_init(&self->recv, &self->rx, &self->v);
    CF_AWAIT(self, &self->recv);
    cf_future_drop(&self->recv.base);
    if (self->recv.base.rc < 0)
      break;
    self->v++;
    cf_mpsc_send_init(&self->send, &self->tx, &self->v);
    CF_AWAIT(self, &self->send);
    cf_future_drop(&self->send.base);
    if (self->send.base.rc < 0)
      break;
  }
  CF_END(self, 0);
}
static void cfb_pong_cleanup(cf_future_t *f) {
  cfb_pong_t *self = (cfb_pong_t *)f;
  cf_future_drop(&self->recv.base);
  cf_future_drop(&self->send.base);
  cf_mpsc_receiver_free(&self->rx);
  cf_mpsc_sender_free(&self->tx);
}
CF_ASYNC_VTABLE(cfb_pong_vt, "pong", cfb_pong_poll, cfb_pong_cleanup);

typedef struct cfb_w3pp {
  cf_async_t co;
  uint32_t n, i;
  uint64_t v;
  cf_mpsc_sender_t to_b;
  cf_mpsc_receiver_t a_rx;
  cf_mpsc_send_t send;
  cf_mpsc_recv_t recv;
  cf_join_handle_t pong;
  double t0, ns_per_roundtrip;
} cfb_w3pp_t;

static cf_poll_t cfb_w3pp_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_w3pp_t *self = (cfb_w3pp_t *)f;
  CF_BEGIN(self);
  self->t0 = cfb_now_ns();
  {
    cfb_pong_t p;
    CF_ASYNC_INIT(&p, &cfb_pong_vt);
    if (cf_mpsc_new(sizeof(uint64_t), 1, &self->to_b, &p.rx) < 0)
      CF_RETURN(self, CF_ENOMEM);
    if (cf_mpsc_new(sizeof(uint64_t), 1, &p.tx, &self->a_rx) < 0) {
      cf_mpsc_receiver_free(&p.rx);
      CF_RETURN(self, CF_ENOMEM);
    }
    if (CF_SPAWN(cx->rt, &p, "pong", &self->pong) < 0) {
      cf_mpsc_receiver_free(&p.rx);
      cf_mpsc_sender_free(&p.tx);
      CF_RETURN(self, CF_ENOMEM);
    }
  }
  for (self->i = 0; self->i < self->n; self->i++) {
    cf_mpsc_send_init(&self->send, &self->to_b, &self->v);
    CF_AWAIT(self, &self->send);
    cf_future_drop(&self->send.base);
    cf_mpsc_recv_init(&self->recv, &self->a_rx, &self->v);
    CF_AWAIT(self, &self->recv);
    cf_future_drop(&self->recv.base);
    if (self->recv.base.rc < 0)
      CF_RETURN(self, self->recv.base.rc);
  }
  cf_mpsc_sender_free(&self->to_b); /* pong sees CF_ECLOSED and finishes */
  CF_AWAIT(self, &self->pong.base);
  cf_future_drop(&self->pong.base);
  self->ns_per_roundtrip = (cfb_now_ns() - self->t0) / self->n;
  CF_END(self, self->v == self->n ? 0 : CF_EINVAL);
}
static void cfb_w3pp_cleanup(cf_future_t *f) {
  cfb_w3pp_t *self = (cfb_w3pp_t *)f;
  cf_future_drop(&self->send.base);
  cf_future_drop(&self->recv.base);
  cf_future_drop(&self->pong.base);
  cf_mpsc_sender_free(&self->to_b);
  cf_mpsc_receiver_free(&self->a_rx);
}
CF_ASYNC_VTABLE(cfb_w3pp_vt, "w3_pingpong", cfb_w3pp_poll, cfb_w3pp_cleanup);
static void cfb_w3pp_init(cfb_w3pp_t *w, uint32_t n) {
  CF_ASYNC_INIT(w, &cfb_w3pp_vt);
  w->n = n ? n : 1;
}

/* ---- rr ---- */

typedef struct cfb_req {
  uint64_t v;
  cf_oneshot_sender_t reply;
} cfb_req_t;

typedef struct cfb_server {
  cf_async_t co;
  cf_mpsc_receiver_t rx;
  cfb_req_t req;
  cf_mpsc_recv_t recv;
} cfb_server_t;

static cf_poll_t cfb_server_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_server_t *self = (cfb_server_t *)f;
  CF_BEGIN(self);
  for (;;) {
    cf_mpsc_recv_init(&self->recv, &self->rx, &self->req);
    CF_AWAIT(self, &self->recv);
    cf_future_drop(&self->recv.base);
    if (self->recv.base.rc < 0)
      break;
    self->req.v++;
    (void)cf_oneshot_send(&self->req.reply, &self->req.v);
  }
  CF_END(self, 0);
}
static void cfb_server_cleanup(cf_future_t *f) {
  cfb_server_t *self = (cfb_server_t *)f;
  cf_future_drop(&self->recv.base);
  cf_mpsc_receiver_free(&self->rx);
}
CF_ASYNC_VTABLE(cfb_server_vt, "server", cfb_server_poll, cfb_server_cleanup);

typedef struct cfb_w3rr {
  cf_async_t co;
  uint32_t n, i;
  uint64_t v;
  cf_mpsc_sender_t tx;
  cfb_req_t req;
  cf_oneshot_receiver_t reply;
  cf_mpsc_send_t send;
  cf_oneshot_recv_t recv;
  cf_join_handle_t server;
  double t0, ns_per_roundtrip;
} cfb_w3rr_t;

static cf_poll_t cfb_w3rr_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_w3rr_t *self = (cfb_w3rr_t *)f;
  CF_BEGIN(self);
  self->t0 = cfb_now_ns();
  {
    cfb_server_t s;
    CF_ASYNC_INIT(&s, &cfb_server_vt);
    if (cf_mpsc_new(sizeof(cfb_req_t), 1, &self->tx, &s.rx) < 0)
      CF_RETURN(self, CF_ENOMEM);
    if (CF_SPAWN(cx->rt, &s, "server", &self->server) < 0) {
      cf_mpsc_receiver_free(&s.rx);
      CF_RETURN(self, CF_ENOMEM);
    }
  }
  for (self->i = 0; self->i < self->n; self->i++) {
    if (cf_oneshot_new(sizeof(uint64_t), &self->req.reply, &self->reply) < 0)
      CF_RETURN(self, CF_ENOMEM);
    self->req.v = self->v;
    cf_mpsc_send_init(&self->send, &self->tx, &self->req);
    CF_AWAIT(self, &self->send);
    cf_future_drop(&self->send.base);
    if (self->send.base.rc < 0) { /* the request (and its sender) is ours */
      cf_oneshot_sender_free(&self->req.reply);
      CF_RETURN(self, self->send.base.rc);
    }
    cf_oneshot_recv_init(&self->recv, &self->reply, &self->v);
    CF_AWAIT(self, &self->recv);
    cf_future_drop(&self->recv.base);
    cf_oneshot_receiver_free(&self->reply);
    if (self->recv.base.rc < 0)
      CF_RETURN(self, self->recv.base.rc);
  }
  cf_mpsc_sender_free(&self->tx);
  CF_AWAIT(self, &self->server.base);
  cf_future_drop(&self->server.base);
  self->ns_per_roundtrip = (cfb_now_ns() - self->t0) / self->n;
  CF_END(self, self->v == self->n ? 0 : CF_EINVAL);
}
static void cfb_w3rr_cleanup(cf_future_t *f) {
  cfb_w3rr_t *self = (cfb_w3rr_t *)f;
  cf_future_drop(&self->send.base);
  cf_future_drop(&self->recv.base);
  cf_future_drop(&self->server.base);
  cf_oneshot_receiver_free(&self->reply);
  cf_mpsc_sender_free(&self->tx);
}
CF_ASYNC_VTABLE(cfb_w3rr_vt, "w3_reqreply", cfb_w3rr_poll, cfb_w3rr_cleanup);
static void cfb_w3rr_init(cfb_w3rr_t *w, uint32_t n) {
  CF_ASYNC_INIT(w, &cfb_w3rr_vt);
  w->n = n ? n : 1;
}

#endif
