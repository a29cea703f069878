/*
 * action: the one list of action names (see action.h).
 */
#include "action.h"

static const struct {
	const char	*name;		/* zmc_alarms_processed_total{action} */
	const char	*operation;	/* NM_ALARM_SYNC_LOG.OPERATION */
} action_names[ACT__COUNT] = {
	[ACT_FIRE] =		{ "fire",		"PUSH_FIRING" },
	[ACT_HEARTBEAT] =	{ "heartbeat",		"HEARTBEAT" },
	[ACT_RELABEL] =		{ "relabel",		"RELABEL" },
	[ACT_RESOLVE] =		{ "resolve",		"PUSH_RESOLVED" },
	[ACT_SILENCE] =		{ "silence",		"SILENCE" },
	[ACT_EXPIRE_SILENCE] =	{ "expire_silence",	"EXPIRE_SILENCE" },
	[ACT_SILENCE_ENDED] =	{ "silence_ended",	"SILENCE_ENDED" },
};

const char *
action_name(enum action_kind k)
{
	if ((unsigned)k >= ACT__COUNT)
		return "unknown";
	return action_names[k].name;
}

const char *
action_operation(enum action_kind k)
{
	if ((unsigned)k >= ACT__COUNT)
		return "UNKNOWN";
	return action_names[k].operation;
}
