/*
 * lease: which of several zmcsync instances syncs (SPEC 3, last
 * paragraph).  One row of NM_ALARM_SYNC_LEASE in the ZMC database names
 * the holder (sync.instance_id), its epoch and when the lease expires.
 * Every run takes it, or renews it when it holds it already, with one
 * conditional UPDATE; while another instance holds an unexpired lease
 * the run stands by.  The epoch grows at every change of holder and is
 * the fence: each bookkeeping transaction first renews the lease only
 * if holder and epoch are still ours, so a holder that stalled past its
 * lease and was replaced writes nothing.  Expiry follows the database's
 * clock, so hosts with skewed clocks still agree.
 */
#ifndef ZMCSYNC_LEASE_H
#define ZMCSYNC_LEASE_H

#include <stdint.h>
#include <time.h>

struct db;
struct config;

/* LEASE_NAME of the one row. */
#define LEASE_NAME	"sync"

/* The lease row as read. */
struct lease {
	char	*holder;	/* HOLDER (allocated); NULL when there is no row */
	int64_t	 epoch;
	time_t	 expires;	/* EXPIRES_AT, UTC (0 if unreadable) */
	time_t	 acquired;	/* ACQUIRED_AT: when this holder took it */
	time_t	 renewed;	/* RENEWED_AT */
	int	 expired;	/* 1 if EXPIRES_AT has passed by the database's clock */
};

/* A run's hold on the lease. */
struct lease_guard {
	struct db	*db;
	const char	*me;		/* sync.instance_id */
	int		 seconds;	/* sync.lease_seconds */
	int64_t		 epoch;		/* ours, from the acquire */
	int		 lost;		/* a check or the fence found it gone */
	struct lease	 row;		/* as read by lease_take */
};

/*
 * Reads the lease row into l (lease_clear frees it).  0 read, 1 no row
 * yet (l->holder NULL), -1 database error (db_error).
 */
int	lease_read(struct db *, struct lease *l);
void	lease_clear(struct lease *l);

/*
 * Takes the lease for c->sync_instance_id, or renews it, for
 * c->sync_lease_seconds.  g->row gets the row as it is afterwards.
 * Returns 1 held (g ready for lease_check and lease_fence), 0 another
 * instance holds it, -1 database error (db_error names it).  g is
 * released with lease_guard_free in every case.
 */
int	lease_take(struct lease_guard *g, struct db *, const struct config *c);
void	lease_guard_free(struct lease_guard *g);

/*
 * Before a batch's pushes (autocommit): renews the lease if it is still
 * ours and unexpired.  0 go on; -1 lost, expired or a database error
 * (logged; g->lost set unless it was a database error).
 */
int	lease_check(struct lease_guard *g);

/*
 * The fence, for syncstate_set_fence: first statement of each
 * bookkeeping transaction, on its connection.  Renews the lease if
 * holder and epoch are still ours and returns 0; otherwise sets g->lost,
 * records why as the connection's error and returns -1, so the
 * transaction is rolled back.
 */
int	lease_fence(struct db *, void *g);

/* "2026-11-30 12:00:05Z" of a UTC time into out; "-" for 0. */
char	*lease_time(time_t t, char out[32]);

#endif
