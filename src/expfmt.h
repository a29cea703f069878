/*
 * expfmt: the Prometheus text exposition format as node_exporter's
 * textfile collector reads it: numbers, sample names with escaped label
 * values, and the parsing of one sample line.  Pure text; metrics.c
 * knows the families.
 */
#ifndef ZMCSYNC_EXPFMT_H
#define ZMCSYNC_EXPFMT_H

struct buf;

/* Room for any number expfmt_num formats. */
#define EXPFMT_NUMLEN	40

/*
 * Formats v the way Prometheus writes numbers: integers without a
 * fraction, otherwise the shortest decimal that reads back exactly;
 * "+Inf", "-Inf", "NaN".  Returns out or a string literal.
 */
const char	*expfmt_num(double v, char out[EXPFMT_NUMLEN]);
/*
 * Appends the sample name "name[suffix]{lname="lvalue",le="le"}" (each
 * label only when lname / le is not NULL, the braces only when there is
 * a label), label values escaped.  The state file uses it as its key.
 */
void	expfmt_name(struct buf *, const char *name, const char *suffix,
	    const char *lname, const char *lvalue, const char *le);
/* Appends "NAME value\n", NAME as expfmt_name writes it. */
void	expfmt_sample(struct buf *, const char *name, const char *suffix,
	    const char *lname, const char *lvalue, const char *le, double v);
/*
 * Parses one sample line "name{l="v",...} value [timestamp]" into name,
 * the value of label lname (NULL if absent or lname is NULL), le (NULL
 * if absent) and value; label values unescaped.  Returns the number of
 * labels, or -1 on a syntax error (then all three are NULL).  Caller
 * frees *name, *lv, *le.
 */
int	expfmt_parse(const char *line, const char *lname, char **name,
	    char **lv, char **le, double *value);

#endif
