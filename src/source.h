/*
 * source: reads the source view (SPEC 1.2), the one adapter between ZMC
 * and zmcsync, in keyset pages so memory stays bounded whatever the
 * driver buffers.  Only rows that can matter are read: state U, or rows
 * zmcsync still tracks as FIRING, PENDING or SILENCED.
 */
#ifndef ZMCSYNC_SOURCE_H
#define ZMCSYNC_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct db;
struct config;

/* One alarm as the view shows it now.  Text is UTF-8, "" never stored: absent is NULL. */
struct zmc_row {
	int64_t	 alarm_id;	/* ALARM_INST_ID, the sync key */
	int64_t	 event_id;	/* EVENT_INST_ID, 0 if NULL */
	char	 state;		/* ALARM_STATE: 'U', 'A', 'C', 'M' (other: '?') */
	int	 level;		/* ALARM_LEVEL 0-4, -1 if NULL or out of range */
	char	*alarm_code;
	char	*alarm_name;
	char	*host_name;
	char	*host_ip;
	char	*app_name;
	char	*business_domain;
	char	*environment;
	char	*res_inst_type;
	time_t	 event_time;	/* UTC; 0 if NULL */
	time_t	 state_time;	/* UTC; 0 if NULL */
	time_t	 create_date;	/* UTC; 0 if NULL */
	char	*detail_info;
	char	*fault_reason;
	char	*deal_suggest;
	char	*clear_reason;
	char	*total_alarm;	/* as text */
	/* Every column of the view as text, for NM_ALARM_LABEL_MAPPING. */
	char	**vals;		/* vals[i] is column names[i] of the page; NULL = SQL NULL */
	const char *const *names; /* column names, owned by the page */
	size_t	 ncols;
};

/* One page of rows, ordered by alarm_id. */
struct source_page {
	struct zmc_row	*rows;
	size_t		 rowsz;
	char		**names;	/* upper-case column names */
	size_t		 ncols;
};

/* Value of any view column of row by (case-insensitive) name; NULL if NULL or unknown. */
const char	*zmc_row_field(const struct zmc_row *, const char *name);

/*
 * Reads rows with ALARM_INST_ID > after, at most limit, into out (which
 * must be zeroed or freed).  A row whose values cannot be parsed is kept
 * with the bad field cleared and a warning naming alarm and column.
 * 0 ok, -1 database error (db_error()).
 */
int	source_page_read(struct db *, const struct config *, int64_t after,
	    size_t limit, struct source_page *out);
void	source_page_free(struct source_page *);

#endif
