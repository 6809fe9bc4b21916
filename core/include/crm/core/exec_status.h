// What became of an attempt to run an agent, independent of the agent's own
// return code: the "op-status" of the CIB's operation history, with the
// peer's numbers (enum pcmk_exec_status), so a value can be written to and
// read from the CIB as it is.
//
//   if (status == ExecStatus::kTimeout) ...
//   std::cout << exec_status_text(status);   // "Timed Out"
#pragma once

namespace crm {

enum class ExecStatus : int {
  kUnknown = -2,       // only to initialize
  kPending = -1,       // submitted, no result yet
  kDone = 0,           // the agent ran and exited; see its rc
  kCancelled = 1,      // cancelled by the caller (a recurring operation stopped)
  kTimeout = 2,        // killed at its timeout
  kNotSupported = 3,   // the agent class does not know this action
  kError = 4,          // could not be run, or crashed / killed by a signal; may be retried
  kErrorHard = 5,      // failed, do not retry on this node
  kErrorFatal = 6,     // failed, do not retry anywhere
  kNotInstalled = 7,   // the agent (or systemd bus, or unit) is not there
  kNotConnected = 8,   // no connection to the executor
  kInvalid = 9,        // refused before running (missing required parameter, bad request)
  kNoFenceDevice = 10, // no fence device for the target
  kNoSecrets = 11,     // CIB secrets unavailable
};

// The peer's words (pcmk_exec_status_str): "pending", "complete",
// "Cancelled", "Timed Out", "NOT SUPPORTED", "Error", ...; "UNKNOWN!" for
// any other number.
const char* exec_status_text(ExecStatus status);
inline const char* exec_status_text(int status) { return exec_status_text(static_cast<ExecStatus>(status)); }

}  // namespace crm
