#include "store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

namespace crm::repldisk {

std::string Metadata::serialize() const {
  std::string s = "# crm-repldisk metadata; written by the daemon, do not edit while it runs\n";
  s += "generation=" + generation.to_string() + "\n";
  s += std::string("state=") + disk_state_name(state) + "\n";
  s += "size=" + std::to_string(size) + "\n";
  for (const auto& [name, addr] : peers) s += "peer=" + name + "=" + addr + "\n";
  return s;
}

Result<Metadata> Metadata::parse(std::string_view text) {
  Metadata m;
  bool have_gen = false, have_state = false, have_size = false;
  std::istringstream in{std::string(text)};
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) return parse_error("metadata line " + std::to_string(n) + ": no '='");
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "generation") {
      ASSIGN_OR_RETURN(m.generation, Generation::parse(value));
      have_gen = true;
    } else if (key == "state") {
      ASSIGN_OR_RETURN(m.state, parse_disk_state(value));
      have_state = true;
    } else if (key == "size") {
      try {
        m.size = std::stoull(value);
      } catch (...) {
        return parse_error("metadata line " + std::to_string(n) + ": bad size");
      }
      have_size = true;
    } else if (key == "peer") {
      size_t e2 = value.find('=');
      if (e2 == std::string::npos) return parse_error("metadata line " + std::to_string(n) + ": peer is NAME=ADDRESS");
      m.peers[value.substr(0, e2)] = value.substr(e2 + 1);
    }
  }
  if (!have_gen || !have_state || !have_size) return parse_error("metadata lacks generation, state or size");
  return m;
}

Result<Store> Store::open(cib::FileSystem& fs, const std::string& dir, uint64_t size) {
  RETURN_IF_ERROR(fs.create_dirs(dir));
  std::string meta_path = dir + "/meta", image_path = dir + "/image";
  Metadata m;
  auto text = fs.read_file(meta_path);
  bool fresh = !text.ok() && text.status().code() == StatusCode::kNotFound;
  if (!text.ok() && !fresh) return text.status();
  if (!fresh) {
    auto parsed = Metadata::parse(*text);
    if (!parsed.ok()) return parsed.status().with_context(meta_path);
    m = *parsed;
    if (size != 0 && m.size != size)
      return invalid_argument("the copy in " + dir + " has " + std::to_string(m.size) + " bytes, not " +
                              std::to_string(size));
  } else {
    if (size == 0 || size % 4096 != 0) return invalid_argument("a new copy needs a size, a multiple of 4096 bytes");
    m.size = size;
  }
  int fd = ::open(image_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errno_error("open " + image_path, errno);
  struct stat st {};
  fstat(fd, &st);
  if (static_cast<uint64_t>(st.st_size) != m.size) {
    // Only a fresh copy (or one whose image was lost before its first byte
    // was written) gets here: zeroes are what generation 0:0 promises.
    if (st.st_size != 0 || m.generation.counter != 0) {
      ::close(fd);
      return io_error(image_path + " has " + std::to_string(st.st_size) + " bytes, the metadata says " +
                      std::to_string(m.size));
    }
    if (::ftruncate(fd, static_cast<off_t>(m.size)) != 0 || ::fsync(fd) != 0) {
      Status s = errno_error("sizing " + image_path, errno);
      ::close(fd);
      return s;
    }
  }
  Store store(fs, dir, fd, m);
  if (fresh) RETURN_IF_ERROR(store.save(m));
  return store;
}

Store::Store(Store&& o) noexcept : fs_(o.fs_), dir_(std::move(o.dir_)), fd_(o.fd_), meta_(std::move(o.meta_)) {
  o.fd_ = -1;
}

Store::~Store() {
  if (fd_ >= 0) ::close(fd_);
}

Status Store::save(const Metadata& m) {
  // Temp, sync, rename, sync the directory: the old metadata or the new one, never a torn mix.
  std::string path = dir_ + "/meta";
  RETURN_IF_ERROR(fs_->write_file(path + ".tmp", m.serialize()));
  RETURN_IF_ERROR(fs_->sync_file(path + ".tmp"));
  RETURN_IF_ERROR(fs_->rename(path + ".tmp", path));
  RETURN_IF_ERROR(fs_->sync_dir(dir_));
  meta_ = m;
  return Status::Ok();
}

Status Store::write(uint64_t offset, std::string_view data) {
  if (offset > meta_.size || data.size() > meta_.size - offset)
    return invalid_argument("write beyond the end of the image");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_error("writing the image", errno);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::string> Store::read(uint64_t offset, size_t length) const {
  if (offset >= meta_.size) return std::string();
  length = static_cast<size_t>(std::min<uint64_t>(length, meta_.size - offset));
  std::string buf(length, '\0');
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd_, buf.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_error("reading the image", errno);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  buf.resize(done);
  return buf;
}

Status Store::sync() {
  if (::fdatasync(fd_) != 0) return errno_error("fdatasync of the image", errno);
  return Status::Ok();
}

}  // namespace crm::repldisk
