/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libtracefs and libtraceevent, the tracing maintainers' own libraries (the
 * ones trace-cmd and rtla are built on), loaded by capaudit learn only: a
 * scan must not pay for loading them.
 */
#ifndef CAPAUDIT_TRACELIBS_H
#define CAPAUDIT_TRACELIBS_H

#include <event-parse.h>
#include <kbuffer.h>
#include <tracefs.h>

#include "util.h"

/* Every function the tracing code calls, by library. */
#define TRACELIBS_TRACEFS(X) \
	X(tracefs_cpu_close) \
	X(tracefs_cpu_open) \
	X(tracefs_cpu_read) \
	X(tracefs_cpu_read_size) \
	X(tracefs_event_enable) \
	X(tracefs_event_file_write) \
	X(tracefs_instance_alloc) \
	X(tracefs_instance_create) \
	X(tracefs_instance_destroy) \
	X(tracefs_instance_file_read) \
	X(tracefs_instance_file_write) \
	X(tracefs_instance_free) \
	X(tracefs_instance_get_name) \
	X(tracefs_instance_set_buffer_size) \
	X(tracefs_instances_walk) \
	X(tracefs_local_events_system) \
	X(tracefs_set_loglevel) \
	X(tracefs_set_tracing_dir) \
	X(tracefs_trace_off) \
	X(tracefs_trace_on) \
	X(tracefs_tracing_dir)

#define TRACELIBS_TRACEEVENT(X) \
	X(kbuffer_event_size) \
	X(kbuffer_free) \
	X(kbuffer_load_subbuffer) \
	X(kbuffer_missed_events) \
	X(kbuffer_next_event) \
	X(kbuffer_read_event) \
	X(tep_find_event_by_name) \
	X(tep_find_field) \
	X(tep_find_function) \
	X(tep_free) \
	X(tep_kbuffer) \
	X(tep_parse_kallsyms) \
	X(tep_read_number_field) \
	X(tep_set_loglevel)

#define TRACELIBS_FIELD(f) __typeof__(f) *f;
struct ca_tracelibs {
	TRACELIBS_TRACEFS(TRACELIBS_FIELD)
	TRACELIBS_TRACEEVENT(TRACELIBS_FIELD)
};
#undef TRACELIBS_FIELD

extern struct ca_tracelibs ca_tracelibs;

/**
 * tracelibs_load() - dlopen() libtracefs and libtraceevent and find every
 * function of theirs that the tracing code calls, and tell both to print
 * nothing (capaudit's errors are said by main.c); once, later calls return
 * at once. Returns 0, or -ELIBACC with @err saying which library or symbol.
 */
int tracelibs_load(struct ca_err *err);

/* The tracing code calls them by their own names, through the table. */
#ifndef TRACELIBS_NO_REDIRECT
#define kbuffer_event_size (*ca_tracelibs.kbuffer_event_size)
#define kbuffer_free (*ca_tracelibs.kbuffer_free)
#define kbuffer_load_subbuffer (*ca_tracelibs.kbuffer_load_subbuffer)
#define kbuffer_missed_events (*ca_tracelibs.kbuffer_missed_events)
#define kbuffer_next_event (*ca_tracelibs.kbuffer_next_event)
#define kbuffer_read_event (*ca_tracelibs.kbuffer_read_event)
#define tep_find_event_by_name (*ca_tracelibs.tep_find_event_by_name)
#define tep_find_field (*ca_tracelibs.tep_find_field)
#define tep_find_function (*ca_tracelibs.tep_find_function)
#define tep_free (*ca_tracelibs.tep_free)
#define tep_kbuffer (*ca_tracelibs.tep_kbuffer)
#define tep_parse_kallsyms (*ca_tracelibs.tep_parse_kallsyms)
#define tep_read_number_field (*ca_tracelibs.tep_read_number_field)
#define tep_set_loglevel (*ca_tracelibs.tep_set_loglevel)
#define tracefs_cpu_close (*ca_tracelibs.tracefs_cpu_close)
#define tracefs_cpu_open (*ca_tracelibs.tracefs_cpu_open)
#define tracefs_cpu_read (*ca_tracelibs.tracefs_cpu_read)
#define tracefs_cpu_read_size (*ca_tracelibs.tracefs_cpu_read_size)
#define tracefs_event_enable (*ca_tracelibs.tracefs_event_enable)
#define tracefs_event_file_write (*ca_tracelibs.tracefs_event_file_write)
#define tracefs_instance_alloc (*ca_tracelibs.tracefs_instance_alloc)
#define tracefs_instance_create (*ca_tracelibs.tracefs_instance_create)
#define tracefs_instance_destroy (*ca_tracelibs.tracefs_instance_destroy)
#define tracefs_instance_file_read (*ca_tracelibs.tracefs_instance_file_read)
#define tracefs_instance_file_write (*ca_tracelibs.tracefs_instance_file_write)
#define tracefs_instance_free (*ca_tracelibs.tracefs_instance_free)
#define tracefs_instance_get_name (*ca_tracelibs.tracefs_instance_get_name)
#define tracefs_instance_set_buffer_size (*ca_tracelibs.tracefs_instance_set_buffer_size)
#define tracefs_instances_walk (*ca_tracelibs.tracefs_instances_walk)
#define tracefs_local_events_system (*ca_tracelibs.tracefs_local_events_system)
#define tracefs_set_loglevel (*ca_tracelibs.tracefs_set_loglevel)
#define tracefs_set_tracing_dir (*ca_tracelibs.tracefs_set_tracing_dir)
#define tracefs_trace_off (*ca_tracelibs.tracefs_trace_off)
#define tracefs_trace_on (*ca_tracelibs.tracefs_trace_on)
#define tracefs_tracing_dir (*ca_tracelibs.tracefs_tracing_dir)
#endif

#endif
