// The DC's kept scheduler inputs, as the peer's schedulerd keeps them, so
// that any decision can be replayed and explained afterwards
// (crm_simulate -x DIR/pe-input-N.bz2): every input the scheduler ran on,
// bzip2-compressed, with the time it ran at as the CIB's "execution-date"
// (crm_simulate uses it, so time-based rules and failure timeouts replay
// alike), in three series by the run's outcome: pe-error-N (the scheduler
// failed; pe-error-series-max, default -1: all), pe-warn-N (it warned;
// pe-warn-series-max, 5000) and pe-input-N (pe-input-series-max, 4000). A
// series keeps its newest MAX files, numbering on from SERIES.last across
// restarts; 0 keeps none. An input identical to the last one is not saved
// again. Compressing and writing happen on a worker thread: the DC's event
// loop only serializes the CIB.
#pragma once

#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "crm/cib/cib.h"

namespace crm::crmd {

class InputArchive {
 public:
  enum class Series { kError, kWarn, kInput };
  // Files go to `dir` (created when needed); `log` gets one line per file
  // that could not be written.
  InputArchive(std::string dir, std::function<void(const std::string&)> log);
  ~InputArchive();  // writes what is queued first
  InputArchive(const InputArchive&) = delete;
  InputArchive& operator=(const InputArchive&) = delete;

  struct Kept {
    std::string path;        // the file, "" when the series keeps none
    bool unchanged = false;  // the same input as last time: `path` is that one's
  };
  // Keeps `cib` as scheduled at `now` in `series`, whose option (e.g.
  // pe-input-series-max) is read from `cib`.
  Kept keep(const cib::Cib& cib, std::time_t now, Series series);
  // Waits until every queued file is written (tests).
  void flush();

  static const char* series_name(Series series);  // "pe-input", ...

 private:
  struct Job {
    std::string path, text, last_path, next;
  };
  void run();
  static constexpr size_t kMaxQueued = 4;

  std::string dir_;
  std::function<void(const std::string&)> log_;
  std::map<Series, long> next_;  // the next number per series (read from SERIES.last once)
  size_t last_hash_ = 0;
  std::string last_path_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace crm::crmd
