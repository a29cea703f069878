/*
 * secret: keeps passwords, tokens and credentials out of every message.
 *
 * A process-wide registry holds the secrets in force (config_resolve
 * fills it after every change: database and Alertmanager passwords, the
 * bearer token, credential-like header values, URL userinfo, the PWD=
 * of database.connection) in the forms they may come back in: as is,
 * base64 (an echoed Authorization header), base64 of "user:password"
 * (basic auth), JSON-escaped and percent-encoded.  secret_redact removes
 * all of them, and every connection-string password, from a message;
 * the log module applies it to every line, and whoever stores an error
 * (LAST_ERROR, NM_ALARM_SYNC_LOG, state.db) applies it first.
 */
#ifndef ZMCSYNC_SECRET_H
#define ZMCSYNC_SECRET_H

/* What a secret is replaced by, everywhere (config show, logs, errors). */
#define SECRET_MASK	"********"

/*
 * Secrets shorter than this are not registered: masking every "ab" of
 * every message would garble the logs and protect nothing.
 */
#define SECRET_MIN	3

/* Forgets every registered secret (their memory is wiped). */
void	 secret_clear(void);
/* Registers s and its encoded forms; NULL, "" and short values are ignored. */
void	 secret_add(const char *s);
/* Registers base64("user:password"), the basic-auth credential, and password. */
void	 secret_add_basic(const char *user, const char *password);
/*
 * Registers the passwords of an ODBC connection string: the values of
 * PWD= and PASSWORD=, and the password of an Oracle UID=user/password.
 */
void	 secret_add_connstr(const char *cs);
/* Number of registered strings (forms included); for tests. */
int	 secret_count(void);

/*
 * Copy of msg with every registered secret and every connection-string
 * password (secret_mask_connstr) replaced by SECRET_MASK.  Allocated,
 * caller frees; NULL for NULL.
 */
char	*secret_redact(const char *msg);
/*
 * secret_redact, and also every occurrence of extra, a secret the caller
 * holds that may not be registered (a connection's own password);
 * NULL or short extra is ignored.  Allocated, caller frees; NULL for NULL.
 */
char	*secret_redact_with(const char *msg, const char *extra);

/*
 * Copy of s (a connection string, or any text holding one) with the
 * values of PWD and PASSWORD attributes -- any case, blanks around the
 * key and '=', {braced} or plain up to ';' -- and the password part of
 * UID=user/password (Oracle's form, up to '@' or ';') replaced by
 * SECRET_MASK.  *had, when not NULL, is set to 1 if anything was masked.
 * Allocated, caller frees.
 */
char	*secret_mask_connstr(const char *s, int *had);

#endif
