/* Unit tests for secret.c: the registry, its encoded forms, connection-string masking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secret.h"
#include "t.h"
#include "util.h"

/* secret_redact(in) == want; frees. */
static int
redacts(const char *in, const char *want)
{
	char	*got = secret_redact(in);
	int	 ok = strcmp(got, want) == 0;

	if (!ok)
		fprintf(stderr, "    redact(\"%s\") = \"%s\", want \"%s\"\n",
		    in, got, want);
	free(got);
	return ok;
}

/* secret_mask_connstr(in) == want; frees. */
static int
masks(const char *in, const char *want, int want_had)
{
	int	 had;
	char	*got = secret_mask_connstr(in, &had);
	int	 ok = strcmp(got, want) == 0 && had == want_had;

	if (!ok)
		fprintf(stderr, "    mask(\"%s\") = \"%s\" had %d, want \"%s\" had %d\n",
		    in, got, had, want, want_had);
	free(got);
	return ok;
}

TEST(connstr_forms)
{
	CHECK(masks("DSN=x;PWD=s3cret;UID=u", "DSN=x;PWD=********;UID=u", 1));
	/* blanks around the key and '=' (the "PWD = x") */
	CHECK(masks("DSN=x; PWD = s3cret ;UID=u", "DSN=x; PWD = ********;UID=u", 1));
	CHECK(masks("Driver=PostgreSQL;password=p;Uid=u",
	    "Driver=PostgreSQL;password=********;Uid=u", 1));
	CHECK(masks("PWD={a;b}}c};DSN=x", "PWD=********;DSN=x", 1));
	/* Oracle: UID=user/password[@tns] */
	CHECK(masks("DRIVER={Oracle};UID=zmc/Tiger9;DBQ=x",
	    "DRIVER={Oracle};UID=zmc/********;DBQ=x", 1));
	CHECK(masks("UID = zmc/Tiger9@//h:1521/rb", "UID = zmc/********@//h:1521/rb", 1));
	CHECK(masks("UID={zmc/Tiger9}", "UID={zmc/********}", 1));
	CHECK(masks("UID=zmc/\"p@ss9\"@rb;X=1", "UID=zmc/********@rb;X=1", 1));
	CHECK(masks("UID=zmc;DSN=x", "UID=zmc;DSN=x", 0));
	/* not an attribute: part of a longer name, or no '=' */
	CHECK(masks("NEWPWD=x;PWDX=y", "NEWPWD=x;PWDX=y", 0));
	CHECK(masks("the PWD is unset", "the PWD is unset", 0));
	CHECK(masks("PWD=;PWD={}", "PWD=;PWD={}", 0));
	/* inside a message */
	CHECK(masks("database x: connecting with DSN=a;PWD=zz",
	    "database x: connecting with DSN=a;PWD=********", 1));
}

TEST(registry_forms)
{
	char	*b;

	secret_clear();
	CHECK_INT(secret_count(), 0);
	secret_add("tok-abc/123\"x");
	secret_add("ab");		/* too short: ignored */
	secret_add(NULL);
	secret_add_basic("zmc", "pw-Секрет-1");
	CHECK(secret_count() > 0);
	CHECK(redacts("Authorization: Bearer tok-abc/123\"x",
	    "Authorization: Bearer ********"));
	/* base64 of the token (an echoed header that was encoded) */
	CHECK(redacts("x dG9rLWFiYy8xMjMieA== y", "x ******** y"));
	/* JSON bodies escape '"' and json-c also '/' */
	CHECK(redacts("{\"h\":\"Bearer tok-abc\\/123\\\"x\"}",
	    "{\"h\":\"Bearer ********\"}"));
	CHECK(redacts("{\"h\":\"Bearer tok-abc/123\\\"x\"}",
	    "{\"h\":\"Bearer ********\"}"));
	/* basic auth: base64("zmc:pw-Секрет-1") */
	b = xstrdup("Authorization: Basic em1jOnB3LdCh0LXQutGA0LXRgi0x");
	CHECK(redacts(b, "Authorization: Basic ********"));
	free(b);
	CHECK(redacts("pw-Секрет-1 and pw-%D0%A1%D0%B5%D0%BA%D1%80%D0%B5%D1%82-1",
	    "******** and ********"));
	CHECK(redacts("ab cd", "ab cd"));
	/* every occurrence, and connection strings in any message */
	CHECK(redacts("a tok-abc/123\"x b tok-abc/123\"x PWD=q",
	    "a ******** b ******** PWD=********"));
	secret_clear();
	CHECK(redacts("tok-abc/123\"x", "tok-abc/123\"x"));
	CHECK(secret_redact(NULL) == NULL);
}

TEST(longest_first)
{
	secret_clear();
	secret_add("abc");
	secret_add("xxabcxx");
	CHECK(redacts("1 xxabcxx 2 abc", "1 ******** 2 ********"));
	secret_clear();
}

TEST(connstr_registry)
{
	secret_clear();
	secret_add_connstr("DSN=x; PWD = Pa55w0rd ;UID=u");
	CHECK(redacts("driver said Pa55w0rd", "driver said ********"));
	secret_clear();
	secret_add_connstr("DRIVER={Oracle};UID=zmc/Tiger9@tns;DBQ=x");
	CHECK(redacts("login zmc Tiger9", "login zmc ********"));
	CHECK(redacts("zmc", "zmc"));
	secret_clear();
	secret_add_connstr("UID=zmc/\"p@ss9\"@rb");
	CHECK(redacts("pw p@ss9", "pw ********"));
	secret_clear();
	secret_add_connstr("PWD={a;b}}c}");
	CHECK(redacts("x a;b}c y", "x ******** y"));
	secret_clear();
}

/* A secret the caller holds but nobody registered: the same mask. */
TEST(redact_with)
{
	char	*r;

	secret_clear();
	secret_add("Registered1");
	r = secret_redact_with("login Own5ecret Registered1 PWD=x;", "Own5ecret");
	CHECK_STR(r, "login " SECRET_MASK " " SECRET_MASK " PWD=" SECRET_MASK ";");
	free(r);
	r = secret_redact_with("ab Own5ecret", "ab");	/* too short to mask */
	CHECK_STR(r, "ab Own5ecret");
	free(r);
	CHECK(secret_redact_with(NULL, "x") == NULL);
	secret_clear();
}

int
main(void)
{
	RUN(connstr_forms);
	RUN(registry_forms);
	RUN(longest_first);
	RUN(connstr_registry);
	RUN(redact_with);
	secret_clear();
	return DONE();
}
