/*
 * A Bosun plugin in plain C: two admission hooks on Deployments, through the C plugin ABI
 * (Plugins/include/bosun_plugin.h). Build it with
 *
 *     cc -shared -fPIC -I Plugins/include Samples/CPlugin/c_sample_plugin.c -o libc_sample_plugin.so
 *
 * and load it with `bosun up --plugin ./libc_sample_plugin.so`.
 *
 * - team-label.c-sample.bosun.dev (mutating): a Deployment created without a `team` label gets
 *   `team: unassigned` (the default comes in as the hook's user data).
 * - deny-privileged.c-sample.bosun.dev (validating): refuses Deployments whose pod template asks
 *   for a privileged container.
 *
 * Objects arrive as compact JSON, as the API server writes them, so plain substring checks are
 * enough for a sample; a real plugin would use a JSON parser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bosun_plugin.h"

static const bosun_host *host;

static char *copy(const char *text) {
    char *result = malloc(strlen(text) + 1);
    if (result) strcpy(result, text);
    return result;
}

/* Takes the object, its length, the default team and the result, in that order. */
static const bosun_arg team_label_args[] = {
    BOSUN_ARG_OBJECT, BOSUN_ARG_OBJECT_LENGTH, BOSUN_ARG_USER_DATA, BOSUN_ARG_RESULT,
};

int c_sample_team_label(const char *object, size_t length, void *user_data, char **result) {
    if (length == 0) return 0;
    /* Only the object's own labels count, not the pod template's. */
    const char *spec = strstr(object, "\"spec\":");
    const char *labels = strstr(object, "\"labels\":{");
    const char *team = labels ? strstr(labels, "\"team\":") : NULL;
    if (team && (!spec || team < spec)) return 0;
    const char *default_team = user_data;
    char patch[256];
    snprintf(patch, sizeof patch, "{\"metadata\":{\"labels\":{\"team\":\"%s\"}}}", default_team);
    *result = copy(patch);
    host->log(BOSUN_LOG_INFO, "labelled a Deployment with the default team");
    return 0;
}

/* Takes the operation, the object and the result. */
static const bosun_arg deny_privileged_args[] = {
    BOSUN_ARG_OPERATION, BOSUN_ARG_OBJECT, BOSUN_ARG_RESULT,
};

int c_sample_deny_privileged(const char *operation, const char *object, char **result) {
    if (strstr(object, "\"privileged\":true") == NULL) return 0;
    char reason[128];
    snprintf(reason, sizeof reason, "privileged containers are not allowed (%s refused by the C sample plugin)", operation);
    *result = copy(reason);
    return 1;
}

static char default_team[] = "unassigned";

static const bosun_hook hooks[] = {
    {
        .name = "team-label.c-sample.bosun.dev", .type = BOSUN_HOOK_MUTATING,
        .group = "apps", .resource = "deployments", .operations = BOSUN_OP_CREATE,
        .symbol = "c_sample_team_label", .args = team_label_args,
        .arg_count = sizeof team_label_args / sizeof team_label_args[0], .user_data = default_team,
    },
    {
        .name = "deny-privileged.c-sample.bosun.dev", .type = BOSUN_HOOK_VALIDATING,
        .group = "apps", .resource = "deployments", .operations = BOSUN_OP_CREATE | BOSUN_OP_UPDATE,
        .symbol = "c_sample_deny_privileged", .args = deny_privileged_args,
        .arg_count = sizeof deny_privileged_args / sizeof deny_privileged_args[0],
    },
};

static const bosun_c_plugin descriptor = {
    .abi_version = BOSUN_C_PLUGIN_ABI_VERSION,
    .name = "c-sample",
    .version = "1.0.0",
    .hooks = hooks,
    .hook_count = sizeof hooks / sizeof hooks[0],
};

const bosun_c_plugin *bosun_c_plugin_entry(const bosun_host *services) {
    if (services->abi_version != BOSUN_C_PLUGIN_ABI_VERSION) return NULL;
    host = services;
    return &descriptor;
}
