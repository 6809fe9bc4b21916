/* peer_cib_client_bench: the peer's side of cib_client_bench.cc — CIB changes
 * through Pacemaker's CIB manager from one persistent client (libcib, as its
 * daemons and tools keep one), one change per request. Window 1: each
 * change waited for (cib_sync_call). Window W > 1: asynchronous calls
 * (cib_none) with a callback each (register_callback), the way the peer's
 * controller and attrd write, W kept in flight by its GLib main loop.
 * Prints figures; asserts nothing. Built when pacemaker-dev is installed;
 * run inside a node of the peer's lab (cib-changes-bench.sh).
 *
 *   peer_cib_client_bench [count] [config|status] [tag] [node-id|-] [window]
 *
 * Output: client <kind> window 1: <N> changes in <s> s = <rate> changes/s, <ms> ms per change
 */
#include <crm/cib.h>
#include <crm/common/xml.h>
#include <crm/crm.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This node's id: the node entry named like the host. */
static char *local_node_id(cib_t *cib) {
    char host[256] = {0}, xpath[512];
    xmlNode *out = NULL;
    gethostname(host, sizeof host - 1);
    snprintf(xpath, sizeof xpath, "//nodes/node[@uname='%s']", host);
    if (cib->cmds->query(cib, xpath, &out, cib_sync_call | cib_xpath) != pcmk_ok || out == NULL) return NULL;
    const char *id = (const char *) xmlGetProp(out, (const xmlChar *) "id");
    return id ? strdup(id) : NULL;
}

/* One change: the crm_config nvpair (node_id NULL) or this node's transient attribute. */
static xmlNode *change_xml(const char *tag, const char *node_id, long i) {
    char buf[1024];
    if (node_id == NULL) {
        snprintf(buf, sizeof buf, "<nvpair id=\"cib-client-bench-%1$s\" value=\"%1$s-%2$ld\"/>", tag, i);
    } else {
        snprintf(buf, sizeof buf,
                 "<node_state id=\"%1$s\"><transient_attributes id=\"%1$s\"><instance_attributes id=\"status-%1$s\">"
                 "<nvpair id=\"status-%1$s-cib-client-bench-%2$s\" name=\"cib-client-bench-%2$s\" value=\"%2$s-%3$ld\"/>"
                 "</instance_attributes></transient_attributes></node_state>",
                 node_id, tag, i);
    }
    return string2xml(buf);
}

/* The asynchronous run: W calls in flight, the next sent from each callback. */
static struct {
    cib_t *cib;
    GMainLoop *loop;
    const char *tag, *node_id;
    long count, sent, done;
    int window, failures;
} run;

static void submit_more(void);

static void on_done(xmlNode *msg, int call_id, int rc, xmlNode *output, void *user_data) {
    (void) msg, (void) call_id, (void) output, (void) user_data;
    if (rc != pcmk_ok && run.failures++ < 3) fprintf(stderr, "peer_cib_client_bench: %s\n", pcmk_strerror(rc));
    if (++run.done == run.count) {
        g_main_loop_quit(run.loop);
        return;
    }
    submit_more();
}

static void submit_more(void) {
    while (run.sent < run.count && run.sent - run.done < run.window) {
        xmlNode *change = change_xml(run.tag, run.node_id, ++run.sent);
        int id = run.cib->cmds->modify(run.cib, run.node_id == NULL ? "crm_config" : "status", change, cib_none);
        free_xml(change);
        if (id < 0) {
            on_done(NULL, id, id, NULL, NULL);
            continue;
        }
        run.cib->cmds->register_callback(run.cib, id, 120, FALSE, NULL, "peer_cib_client_bench", on_done);
    }
}

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 1000;
    const char *kind = argc > 2 ? argv[2] : "config";
    const char *tag = argc > 3 ? argv[3] : "v";
    int window = argc > 5 ? atoi(argv[5]) : 1;
    if (window < 1) window = 1;
    cib_t *cib = cib_new();
    int rc = cib->cmds->signon(cib, "peer_cib_client_bench", cib_command);
    if (rc != pcmk_ok) {
        fprintf(stderr, "peer_cib_client_bench: signon: %s\n", pcmk_strerror(rc));
        return 1;
    }
    char *node_id = NULL;
    if (strcmp(kind, "config") == 0) {
        char buf[1024];
        snprintf(buf, sizeof buf,
                 "<cluster_property_set id=\"cib-client-bench-set-%1$s\">"
                 "<nvpair id=\"cib-client-bench-%1$s\" name=\"cib-client-bench-%1$s\" value=\"0\"/>"
                 "</cluster_property_set>",
                 tag);
        xmlNode *set = string2xml(buf);
        cib->cmds->create(cib, "crm_config", set, cib_sync_call);
        free_xml(set);
    } else if (argc > 4 && strcmp(argv[4], "-") != 0) {
        node_id = strdup(argv[4]);
    } else if ((node_id = local_node_id(cib)) == NULL) {
        fprintf(stderr, "peer_cib_client_bench: this host has no node in the CIB\n");
        return 1;
    }
    int failures = 0;
    double t0 = now_s();
    if (window == 1) {
        for (long i = 1; i <= count; ++i) {
            xmlNode *change = change_xml(tag, node_id, i);
            rc = cib->cmds->modify(cib, node_id == NULL ? "crm_config" : "status", change, cib_sync_call);
            free_xml(change);
            if (rc != pcmk_ok && failures++ < 3) fprintf(stderr, "peer_cib_client_bench: %s\n", pcmk_strerror(rc));
        }
    } else {
        run.cib = cib;
        run.loop = g_main_loop_new(NULL, FALSE);
        run.tag = tag;
        run.node_id = node_id;
        run.count = count;
        run.window = window;
        submit_more();
        if (run.done < run.count) g_main_loop_run(run.loop);
        failures = run.failures;
    }
    double s = now_s() - t0;
    printf("client %s window %d: %ld changes in %.2f s = %.0f changes/s, %.2f ms per change\n", kind, window, count, s,
           count / s, s * 1000 / count);
    printf("last value %s-%ld\n", tag, count);
    cib->cmds->signoff(cib);
    cib_delete(cib);
    return failures == 0 ? 0 : 1;
}
