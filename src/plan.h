/*
 * plan: what a dry run would do, printed one line per action as the run
 * decides it, then a summary per action kind; or, for -o json, gathered
 * into one JSON object printed at the end.
 */
#ifndef ZMCSYNC_PLAN_H
#define ZMCSYNC_PLAN_H

struct action;
struct plan;

/* A plan printed as text (json 0) or JSON (json 1).  Never fails. */
struct plan	*plan_new(int json, const char *batch_id);
/* Records (and, as text, prints) one planned action. */
void		 plan_add(struct plan *, const struct action *);
/* Prints the summary (text) or the whole plan (JSON). */
void		 plan_print(struct plan *);
/* Actions recorded. */
long		 plan_count(const struct plan *);
void		 plan_free(struct plan *);

#endif
