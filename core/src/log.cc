#include "crm/core/log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace crm::log {
namespace {

struct State {
  std::mutex mutex;
  std::string identity = program_invocation_short_name ? program_invocation_short_name : "crm";
  int file = -1;
};

State& state() {
  static State* s = new State;  // never destroyed: threads may log during exit
  return *s;
}

void write_all(int fd, const std::string& text) {
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere else to report it
    off += static_cast<size_t>(n);
  }
}

// "2026-12-07 22:32:44.384 1796682764.384": local time with milliseconds,
// then the same instant as epoch seconds.
std::string timestamp() {
  timeval tv;
  ::gettimeofday(&tv, nullptr);
  tm local;
  ::localtime_r(&tv.tv_sec, &local);
  char wall[32];
  std::strftime(wall, sizeof wall, "%Y-%m-%d %H:%M:%S", &local);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03ld %ld.%03ld", wall, static_cast<long>(tv.tv_usec / 1000),
                static_cast<long>(tv.tv_sec), static_cast<long>(tv.tv_usec / 1000));
  return out;
}

}  // namespace

void set_identity(std::string who) {
  std::lock_guard<std::mutex> lock(state().mutex);
  state().identity = std::move(who);
}

void set_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    line("cannot open the log file " + path + ": " + std::strerror(errno));
    return;
  }
  std::lock_guard<std::mutex> lock(state().mutex);
  if (state().file >= 0) ::close(state().file);
  state().file = fd;
}

void line(std::string_view message) {
  std::string text = timestamp();
  std::lock_guard<std::mutex> lock(state().mutex);
  text += ' ';
  text += state().identity;
  text += ": ";
  text += message;
  text += '\n';
  write_all(STDERR_FILENO, text);
  if (state().file >= 0) write_all(state().file, text);
}

}  // namespace crm::log
