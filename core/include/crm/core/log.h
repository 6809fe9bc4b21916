// The daemons' one log line format, written by one function:
//
//   2026-12-07 22:32:44.384 1796682764.384 lrmd: queued db_start_0 (ocf:heartbeat:Dummy) call 3
//
// local wall time with milliseconds, the same instant as epoch seconds (so
// that timings across daemons and nodes can be read and subtracted from the
// logs: the failover benchmarks do), then who wrote it and the message.
//
//   crm::log::set_identity("crmd[n1]");
//   crm::log::line("started as node 1");
//   crm::log::set_file("/var/log/crm/crmd.log");   // also there, besides stderr
#pragma once

#include <string>
#include <string_view>

namespace crm::log {

// Who the lines are from: "lrmd", "crmd[n1]", "cibd[1234]". Default: the
// program's name.
void set_identity(std::string who);
// Also append every line to `path` (an error is reported on stderr and the
// lines go to stderr only).
void set_file(const std::string& path);
// One line: the timestamp prefix, the identity, then `message`; one write()
// per destination, so lines of concurrent writers never interleave.
void line(std::string_view message);

}  // namespace crm::log
