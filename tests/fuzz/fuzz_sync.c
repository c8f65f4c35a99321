/* fuzz_sync.c: libFuzzer target for src/sync: random sequences of
 * acquire / lock / send / recv / poll / spurious poll / cancel (drop) /
 * release / unlock / close / try_send / try_recv / sender drop on one
 * semaphore, one mutex and one bounded mpsc, each future driven by hand
 * with its own counting waker, checked against a reference model:
 *   - no lost wakeups: a pending future that was not woken stays pending
 *     when polled, and at the end, once every permit is returned and the
 *     channel drained, no acquire, lock or send is left pending;
 *   - no lost / duplicated / reordered messages: every received value is
 *     the head of the model's FIFO of completed sends;
 *   - permits conserved (semaphore, mutex, channel slots) after every step;
 *   - FIFO: an acquire, lock or send completes only if every older waiter
 *     of the same primitive has been granted (woken) or cancelled;
 *   - mutual exclusion of the mutex; every waker clone is released.
 * Build: cmake -DCF_FUZZ=ON -DCMAKE_C_COMPILER=clang; run fuzz_sync. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfuture.h"

#define FAIL(msg)                                                              \
  do {                                                                         \
    fprintf(stderr, "fuzz_sync: %s (line %d)\n", msg, __LINE__);               \
    abort();                                                                   \
  } while (0)
#define ASSERT(c)                                                              \
  do {                                                                         \
    if (!(c))                                                                  \
      FAIL(#c);                                                                \
  } while (0)

enum { NSLOTS = 12, QCAP = 4096 };
enum { K_NONE = 0, K_ACQ, K_LOCK, K_SEND, K_RECV };

typedef struct slot {
  union {
    cf_future_t base;
    cf_semaphore_acquire_t acq;
    cf_mutex_lock_t lock;
    cf_mpsc_send_t send;
    cf_mpsc_recv_t recv;
  } u;
  int kind, value, out, sender;
  size_t n;
  uint64_t enq; /* order of its first pending poll (0: never pending) */
  unsigned woken;
  int live;
  int done;
} slot_t;

static slot_t slots[NSLOTS];
static cf_semaphore_t sem;
static cf_mutex_t mtx;
static cf_mpsc_sender_t tx[2];
static cf_mpsc_receiver_t rx;
static size_t sem_total, sem_held, chan_cap;
static int mtx_held, rx_closed;
static int queue[QCAP];
static size_t qhead, qlen;
static uint64_t enq_counter;
static int next_value;

/* ---- per-slot counting waker ---- */
static cf_waker_t w_clone(const cf_waker_t *w) {
  ((slot_t *)w->data)->live++;
  return *w;
}
static void w_wake_by_ref(const cf_waker_t *w) {
  ((slot_t *)w->data)->woken++;
}
static void w_wake(cf_waker_t *w) {
  w_wake_by_ref(w);
  ((slot_t *)w->data)->live--;
}
static void w_drop(cf_waker_t *w) {
  ((slot_t *)w->data)->live--;
}
static const cf_waker_vtable_t w_vt = {w_clone, w_wake, w_wake_by_ref, w_drop};

static void q_push(int v) {
  ASSERT(qlen < QCAP);
  queue[(qhead + qlen++) % QCAP] = v;
}
static void q_expect(int v) {
  ASSERT(qlen > 0);
  if (queue[qhead] != v)
    FAIL("message out of order, lost or duplicated");
  qhead = (qhead + 1) % QCAP;
  qlen--;
}

static int senders_alive(void) {
  return tx[0].chan || tx[1].chan;
}

/* FIFO: every older pending waiter of the same primitive must have been
 * granted (woken) already. */
static void check_fifo(const slot_t *s) {
  int i;
  if (!s->enq)
    return;
  for (i = 0; i < NSLOTS; i++) {
    const slot_t *o = &slots[i];
    if (o == s || o->kind != s->kind || o->done || !o->enq || o->enq > s->enq)
      continue;
    if (!o->woken)
      FAIL("FIFO violated: a younger waiter overtook an older one");
  }
}

static void completed(slot_t *s) {
  int rc = s->u.base.rc;
  s->done = 1;
  switch (s->kind) {
  case K_ACQ:
    if (rc == 0) {
      check_fifo(s);
      sem_held += s->n;
    } else {
      ASSERT(rc == CF_ECLOSED && cf_semaphore_is_closed(&sem));
    }
    break;
  case K_LOCK:
    ASSERT(rc == 0);
    check_fifo(s);
    if (mtx_held)
      FAIL("mutex held twice");
    mtx_held = 1;
    break;
  case K_SEND:
    if (rc == 0) {
      check_fifo(s);
      ASSERT(!rx_closed);
      q_push(s->value);
    } else {
      ASSERT(rc == CF_ECLOSED && rx_closed);
    }
    break;
  case K_RECV:
    if (rc == 0)
      q_expect(s->out);
    else
      ASSERT(rc == CF_ECLOSED && qlen == 0 && (rx_closed || !senders_alive()));
    break;
  }
}

static void poll_slot(slot_t *s) {
  cf_waker_t w = cf_waker_from_raw(&w_vt, s, 0);
  cf_context_t cx = {&w, NULL, NULL, NULL};
  if (s->kind == K_NONE || s->done)
    return;
  if (cf_future_poll(&s->u.base, &cx) == CF_READY) {
    completed(s);
    return;
  }
  if (!s->enq)
    s->enq = ++enq_counter;
  s->woken = 0; /* consumed: the next wake is a new one */
}

/* A pending future that was not woken must still be pending. */
static void spurious_poll(slot_t *s) {
  cf_waker_t w = cf_waker_from_raw(&w_vt, s, 0);
  cf_context_t cx = {&w, NULL, NULL, NULL};
  if (s->kind == K_NONE || s->done || s->woken)
    return;
  if (cf_future_poll(&s->u.base, &cx) == CF_READY)
    FAIL("lost wakeup: ready without having been woken");
}

static void release_slot(slot_t *s) {
  if (s->kind == K_NONE)
    return;
  cf_future_drop(&s->u.base);
  if (s->live != 0)
    FAIL("waker clone leaked by drop");
  memset(s, 0, sizeof *s);
}

static void check_conservation(void) {
  size_t queued = 0;
  int i;
  for (i = 0; i < NSLOTS; i++)
    if (slots[i].kind == K_ACQ && !slots[i].done)
      queued += slots[i].u.acq.node.got;
  if (cf_semaphore_available(&sem) + queued + sem_held != sem_total)
    FAIL("semaphore permits not conserved");
  if (mtx_held && !cf_mutex_is_locked(&mtx))
    FAIL("mutex unlocked while held");
}

static slot_t *free_slot(uint8_t b) {
  int i;
  for (i = 0; i < NSLOTS; i++) {
    slot_t *s = &slots[(b + i) % NSLOTS];
    if (s->kind == K_NONE)
      return s;
  }
  return NULL;
}

static int recv_active(void) {
  int i;
  for (i = 0; i < NSLOTS; i++)
    if (slots[i].kind == K_RECV && !slots[i].done)
      return 1;
  return 0;
}

static void run_woken(void) {
  int i, again = 1, rounds = 0;
  while (again && rounds++ < 64) {
    again = 0;
    for (i = 0; i < NSLOTS; i++)
      if (slots[i].kind != K_NONE && !slots[i].done && slots[i].woken) {
        poll_slot(&slots[i]);
        again = 1;
      }
  }
}

static void drain_try_recv(void) {
  int v, rc;
  if (!rx.chan || recv_active())
    return;
  while ((rc = cf_mpsc_try_recv(&rx, &v)) == 0)
    q_expect(v);
  if (rc == CF_ECLOSED)
    ASSERT(qlen == 0);
}

static void setup(uint8_t a, uint8_t b) {
  memset(slots, 0, sizeof slots);
  sem_total = 3 + a % 4;
  sem_held = 0;
  cf_semaphore_init(&sem, sem_total);
  cf_mutex_init(&mtx);
  mtx_held = 0;
  chan_cap = 1 + b % 4;
  if (cf_mpsc_new(sizeof(int), chan_cap, &tx[0], &rx) < 0)
    abort();
  cf_mpsc_sender_clone(&tx[0], &tx[1]);
  rx_closed = 0;
  qhead = qlen = 0;
  enq_counter = 0;
  next_value = 1;
}

static int trace; /* FUZZ_TRACE=1: print each step (to decode a crash) */

static void step(uint8_t op, uint8_t arg) {
  slot_t *s;
  int v;
  if (trace)
    fprintf(stderr, "op %d arg %d (slot %d kind %d)\n", op % 15, arg,
            arg % NSLOTS, slots[arg % NSLOTS].kind);
  switch (op % 15) {
  case 0: /* acquire n */
    if ((s = free_slot(arg)) != NULL) {
      s->kind = K_ACQ;
      s->n = 1 + arg % 3;
      cf_semaphore_acquire_init(&s->u.acq, &sem, s->n);
      poll_slot(s);
    }
    break;
  case 1: /* lock */
    if ((s = free_slot(arg)) != NULL) {
      s->kind = K_LOCK;
      cf_mutex_lock_init(&s->u.lock, &mtx);
      poll_slot(s);
    }
    break;
  case 2: /* send from sender arg%2 */
    if (tx[arg % 2].chan && (s = free_slot(arg)) != NULL) {
      s->kind = K_SEND;
      s->sender = arg % 2;
      s->value = next_value++;
      cf_mpsc_send_init(&s->u.send, &tx[s->sender], &s->value);
      poll_slot(s);
    }
    break;
  case 3: /* recv (single consumer: one recv future at a time) */
    if (rx.chan && !recv_active() && (s = free_slot(arg)) != NULL) {
      s->kind = K_RECV;
      cf_mpsc_recv_init(&s->u.recv, &rx, &s->out);
      poll_slot(s);
    }
    break;
  case 4:
  case 5: /* the executor: poll everything woken */
    run_woken();
    break;
  case 6: /* cancel: drop a slot, pending or not */
    release_slot(&slots[arg % NSLOTS]);
    break;
  case 7: /* spurious poll */
    spurious_poll(&slots[arg % NSLOTS]);
    break;
  case 8: /* release some held permits */
    if (sem_held) {
      size_t n = 1 + arg % sem_held;
      sem_held -= n;
      cf_semaphore_release(&sem, n);
    }
    break;
  case 9: /* unlock */
    if (mtx_held) {
      mtx_held = 0;
      ASSERT(cf_mutex_unlock(&mtx) == 0);
    } else if (cf_mutex_try_lock(&mtx) == 0) {
      mtx_held = 1;
    } else {
      ASSERT(cf_mutex_is_locked(&mtx)); /* held by a granted waiter */
    }
    break;
  case 10: /* try_send */
    if (tx[arg % 2].chan) {
      int rc;
      v = next_value++;
      rc = cf_mpsc_try_send(&tx[arg % 2], &v);
      if (rc == 0) {
        ASSERT(!rx_closed);
        q_push(v);
      } else {
        ASSERT(rc == CF_EAGAIN || (rc == CF_ECLOSED && rx_closed));
      }
    }
    break;
  case 11: /* try_recv */
    if (rx.chan && !recv_active()) {
      int rc = cf_mpsc_try_recv(&rx, &v);
      if (rc == 0)
        q_expect(v);
      else if (rc == CF_ECLOSED)
        ASSERT(qlen == 0);
      else
        ASSERT(rc == CF_EAGAIN);
    }
    break;
  case 12: /* drop a sender handle (its pending sends are dropped first) */
    if (arg % 8 == 0) {
      int k = arg / 8 % 2, i;
      for (i = 0; i < NSLOTS; i++)
        if (slots[i].kind == K_SEND && slots[i].sender == k)
          release_slot(&slots[i]);
      cf_mpsc_sender_free(&tx[k]);
    }
    break;
  case 13: /* close the receiver */
    if (arg % 8 == 0 && rx.chan) {
      cf_mpsc_receiver_close(&rx);
      rx_closed = 1;
    }
    break;
  case 14: /* close the semaphore */
    if (arg % 16 == 0)
      cf_semaphore_close(&sem);
    break;
  }
  check_conservation();
}

static void teardown_checks(void) {
  int i, round, v;
  /* Give everything back, drain, run: nothing may stay stuck. */
  for (round = 0; round < 32; round++) {
    for (i = 0; i < NSLOTS; i++) /* keep recv out of the way of draining */
      if (slots[i].kind == K_RECV && !slots[i].done)
        release_slot(&slots[i]);
    if (sem_held) {
      cf_semaphore_release(&sem, sem_held);
      sem_held = 0;
    }
    if (mtx_held) {
      mtx_held = 0;
      cf_mutex_unlock(&mtx);
    }
    drain_try_recv();
    run_woken();
    for (i = 0; i < NSLOTS; i++) /* completed futures free their slot */
      if (slots[i].done)
        release_slot(&slots[i]);
    check_conservation();
  }
  for (i = 0; i < NSLOTS; i++)
    if (slots[i].kind != K_NONE && !slots[i].done)
      FAIL("lost wakeup: a waiter is stuck with resources available");
  /* Channel slots conserved: exactly chan_cap free slots now. */
  if (!rx_closed && tx[0].chan) {
    int sent = 0;
    drain_try_recv();
    for (v = next_value++; cf_mpsc_try_send(&tx[0], &v) == 0;
         v = next_value++) {
      q_push(v);
      sent++;
    }
    if ((size_t)sent != chan_cap)
      FAIL("channel slots not conserved");
    drain_try_recv();
  }
  if (!cf_semaphore_is_closed(&sem) &&
      cf_semaphore_available(&sem) != sem_total)
    FAIL("semaphore permits lost");
  if (cf_mutex_is_locked(&mtx))
    FAIL("mutex locked with no holder");
  for (i = 0; i < NSLOTS; i++)
    release_slot(&slots[i]);
  cf_mpsc_sender_free(&tx[0]);
  cf_mpsc_sender_free(&tx[1]);
  cf_mpsc_receiver_free(&rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t i;
  if (size < 2)
    return 0;
  trace = getenv("FUZZ_TRACE") != NULL;
  setup(data[0], data[1]);
  for (i = 2; i + 1 < size; i += 2)
    step(data[i], data[i + 1]);
  teardown_checks();
  return 0;
}
