// crm_web: a read-only live dashboard of the cluster over HTTP (Boost.Beast).
//
//   crm_web [--listen 127.0.0.1:8088] [--token SECRET]
//
// GET /            the page (page.cc)
// GET /events      server-sent events: "state" (the whole view) once, then
//                  "change" (what changed) after every CIB change
// GET /view.json   the view
// GET /cluster.svg, /constraints.svg, /transition.svg   pictures (Graphviz)
// GET /explain?rsc=ID   crm_resource --explain's text
// Anything but GET: 405. With --token, every request needs ?token=SECRET (or
// "Authorization: Bearer SECRET"): 401 otherwise. It listens on localhost
// unless told otherwise. The CIB comes from the local cibd (change
// notifications) or CIB_file (re-read every second).
#include <unistd.h>

#include <utility>  // before Boost 1.74's asio, which uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "crm/cib/client.h"
#include "crm/core/xml.h"
#include "crm/pengine/pengine.h"
#include "crm/tools/admin.h"
#include "crm/tools/status_format.h"
#include "page.h"
#include "svg.h"
#include "view.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;
using namespace crm;

struct Options {
  std::string address = "127.0.0.1";
  unsigned short port = 8088;
  std::string token;
};

// One browser's event stream: messages queue while one is being written.
struct Subscriber : std::enable_shared_from_this<Subscriber> {
  explicit Subscriber(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::deque<std::string> queue;
  bool writing = false;
  bool closed = false;

  void send(std::string message) {
    if (closed) return;
    queue.push_back(std::move(message));
    if (!writing) write_next();
  }
  void write_next() {
    if (queue.empty() || closed) {
      writing = false;
      return;
    }
    writing = true;
    auto self = shared_from_this();
    asio::async_write(socket, asio::buffer(queue.front()), [self](beast::error_code ec, std::size_t) {
      self->queue.pop_front();
      if (ec) {
        self->closed = true;
        return;
      }
      self->write_next();
    });
  }
};

std::string sse(const char* event, const std::string& data) {
  return std::string("event: ") + event + "\ndata: " + data + "\n\n";
}

class Dashboard {
 public:
  Dashboard(asio::io_context& io, Options o)
      : io_(io), options_(std::move(o)), acceptor_(io), refresh_timer_(io), poll_timer_(io), keepalive_timer_(io) {}

  Status start() {
    beast::error_code ec;
    auto address = asio::ip::make_address(options_.address, ec);
    if (ec) return invalid_argument("--listen: bad address '" + options_.address + "': " + ec.message());
    tcp::endpoint ep(address, options_.port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return unavailable("cannot listen on " + options_.address + ":" + std::to_string(options_.port) + ": " + ec.message());
    accept();
    connect_cib();
    keepalive();
    return Status::Ok();
  }

 private:
  // ---- the CIB side ----
  void connect_cib() {
    auto c = cib::connect();
    if (!c.ok()) {
      std::fprintf(stderr, "crm_web: %s (retrying)\n", c.status().message().c_str());
      retry_connect();
      return;
    }
    client_ = std::move(*c);
    if (client_->is_file()) {
      poll_file();
    } else {
      if (Status s = client_->subscribe(); !s.ok()) {
        std::fprintf(stderr, "crm_web: cannot subscribe to CIB changes: %s (retrying)\n", s.message().c_str());
        client_.reset();
        retry_connect();
        return;
      }
      notifications_ = std::make_unique<asio::posix::stream_descriptor>(io_, ::dup(client_->fd()));
      wait_notifications();
    }
    refresh();
  }
  void retry_connect() {
    poll_timer_.expires_after(std::chrono::seconds(1));
    poll_timer_.async_wait([this](beast::error_code ec) {
      if (!ec) connect_cib();
    });
  }
  void wait_notifications() {
    notifications_->async_wait(asio::posix::stream_descriptor::wait_read, [this](beast::error_code ec) {
      if (ec) return;
      auto n = client_->read_notifications();
      if (!n.ok()) {  // cibd went away: start over
        notifications_.reset();
        client_.reset();
        retry_connect();
        return;
      }
      schedule_refresh();
      wait_notifications();
    });
  }
  void poll_file() {
    poll_timer_.expires_after(std::chrono::seconds(1));
    poll_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      refresh();
      poll_file();
    });
  }
  // Changes come in bursts (a transition's results): one refresh per 100 ms.
  void schedule_refresh() {
    if (refresh_pending_) return;
    refresh_pending_ = true;
    refresh_timer_.expires_after(std::chrono::milliseconds(100));
    refresh_timer_.async_wait([this](beast::error_code) {
      refresh_pending_ = false;
      refresh();
    });
  }
  void refresh() {
    if (!client_) return;
    auto xml = client_->query();
    if (!xml.ok()) return;
    auto doc = xml::parse(*xml, "cib");
    if (!doc.ok()) return;
    auto view = web::build_view(doc->get(), std::time(nullptr));
    if (!view.ok()) return;
    cib_ = std::move(*doc);  // parsed once per change; the pictures and explanations read it
    json changes = web::view_changes(view_, *view);
    view_ = std::move(*view);
    if (changes.is_null()) return;
    std::string message = sse("change", changes.dump());
    for (auto& s : subscribers_) s->send(message);
    std::erase_if(subscribers_, [](const auto& s) { return s->closed; });
  }
  void keepalive() {
    keepalive_timer_.expires_after(std::chrono::seconds(15));
    keepalive_timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      for (auto& s : subscribers_) s->send(": keepalive\n\n");
      std::erase_if(subscribers_, [](const auto& s) { return s->closed; });
      keepalive();
    });
  }

  // ---- the HTTP side ----
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) serve(std::move(socket));
      accept();
    });
  }
  struct Exchange {
    explicit Exchange(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
  };
  void serve(tcp::socket socket) {
    auto ex = std::make_shared<Exchange>(std::move(socket));
    http::async_read(ex->socket, ex->buffer, ex->request, [this, ex](beast::error_code ec, std::size_t) {
      if (ec) return;
      route(ex);
    });
  }
  static std::string query_param(const std::string& target, const std::string& name) {
    auto q = target.find('?');
    if (q == std::string::npos) return "";
    std::string rest = target.substr(q + 1);
    size_t pos = 0;
    while (pos <= rest.size()) {
      size_t amp = rest.find('&', pos);
      std::string pair = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      if (pair.rfind(name + "=", 0) == 0) return url_decode(pair.substr(name.size() + 1));
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    return "";
  }
  static std::string url_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i] == '+' ? ' ' : s[i];
      }
    }
    return out;
  }
  void reply(const std::shared_ptr<Exchange>& ex, http::status status, const std::string& type, std::string body) {
    auto& res = ex->response;
    res.version(ex->request.version());
    res.result(status);
    res.set(http::field::server, "crm_web");
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-store");
    res.set(http::field::connection, "close");
    if (status == http::status::method_not_allowed) res.set(http::field::allow, "GET");
    if (status == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer");
    res.body() = std::move(body);
    res.prepare_payload();
    http::async_write(ex->socket, res, [ex](beast::error_code, std::size_t) {
      beast::error_code ignored;
      ex->socket.shutdown(tcp::socket::shutdown_send, ignored);
    });
  }
  void route(const std::shared_ptr<Exchange>& ex) {
    const auto& req = ex->request;
    std::string target(req.target());
    std::string path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get) {
      reply(ex, http::status::method_not_allowed, "text/plain", "only GET: this dashboard is read-only\n");
      return;
    }
    if (!options_.token.empty()) {
      std::string given = query_param(target, "token");
      auto auth = req.find(http::field::authorization);
      if (auth != req.end() && auth->value().starts_with("Bearer ")) given = std::string(auth->value().substr(7));
      if (given != options_.token) {
        reply(ex, http::status::unauthorized, "text/plain", "a token is needed: ?token=... or Authorization: Bearer\n");
        return;
      }
    }
    if (path == "/") return reply(ex, http::status::ok, "text/html; charset=utf-8", web::dashboard_page());
    if (path == "/view.json") return reply(ex, http::status::ok, "application/json", view_.dump());
    if (path == "/events") return subscribe(ex);
    if (path == "/cluster.svg") return picture(ex, web::cluster_dot(view_));
    if ((path == "/constraints.svg" || path == "/transition.svg" || path == "/explain") && !cib_)
      return reply(ex, http::status::service_unavailable, "text/plain", "no CIB yet\n");
    if (path == "/constraints.svg") return picture(ex, web::constraints_dot(cib_.get()));
    if (path == "/transition.svg") {
      auto t = pengine::schedule(cib_.get(), std::time(nullptr));
      if (!t.ok()) return reply(ex, http::status::internal_server_error, "text/plain", t.status().message() + "\n");
      return picture(ex, pengine::graph_to_dot(*t));
    }
    if (path == "/explain") {
      std::string rsc = query_param(target, "rsc");
      if (rsc.empty()) return reply(ex, http::status::bad_request, "text/plain", "usage: /explain?rsc=ID\n");
      pengine::ScheduleOptions opts;
      opts.explain = {rsc};
      auto t = pengine::schedule(cib_.get(), std::time(nullptr), opts);
      if (!t.ok()) return reply(ex, http::status::internal_server_error, "text/plain", t.status().message() + "\n");
      if (t->explanations.empty()) return reply(ex, http::status::not_found, "text/plain", "Resource '" + rsc + "' not found\n");
      std::string text;
      for (const auto& e : t->explanations) text += (text.empty() ? "" : "\n") + tools::format_explanation(e);
      return reply(ex, http::status::ok, "text/plain; charset=utf-8", text);
    }
    reply(ex, http::status::not_found, "text/plain", "not found\n");
  }
  void picture(const std::shared_ptr<Exchange>& ex, const std::string& dot) {
    auto svg = web::dot_to_svg(dot);
    if (!svg.ok()) return reply(ex, http::status::internal_server_error, "text/plain", svg.status().message() + "\n");
    reply(ex, http::status::ok, "image/svg+xml", *svg);
  }
  void subscribe(const std::shared_ptr<Exchange>& ex) {
    auto sub = std::make_shared<Subscriber>(std::move(ex->socket));
    sub->send("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
              "Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\n");
    sub->send(sse("state", view_.dump()));
    subscribers_.push_back(sub);
  }

  asio::io_context& io_;
  Options options_;
  tcp::acceptor acceptor_;
  asio::steady_timer refresh_timer_, poll_timer_, keepalive_timer_;
  bool refresh_pending_ = false;
  std::unique_ptr<cib::CibClient> client_;
  std::unique_ptr<asio::posix::stream_descriptor> notifications_;
  json view_ = json{{"cluster", json::object()}, {"nodes", json::object()}, {"resources", json::object()},
                    {"failures", json::object()}};
  xml::DocPtr cib_;  // the CIB of the last refresh
  std::vector<std::shared_ptr<Subscriber>> subscribers_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"crm_web - a read-only live dashboard of the cluster (HTTP)"};
  std::string listen = "127.0.0.1:8088";
  Options o;
  app.add_option("-l,--listen", listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8088: this host only)");
  app.add_option("--token", o.token, "Require this token (?token= or Authorization: Bearer); give one when listening "
                                    "on anything but localhost");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : crm::tools::kExitUsage;
  }
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "crm_web: --listen wants ADDRESS:PORT, not '%s'\n", listen.c_str());
    return crm::tools::kExitUsage;
  }
  o.address = listen.substr(0, colon);
  if (o.address.size() > 2 && o.address.front() == '[') o.address = o.address.substr(1, o.address.size() - 2);
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 1 || port > 65535) throw std::out_of_range("port");
    o.port = static_cast<unsigned short>(port);
  } catch (const std::exception&) {
    std::fprintf(stderr, "crm_web: --listen: bad port in '%s'\n", listen.c_str());
    return crm::tools::kExitUsage;
  }
  bool loopback = o.address == "127.0.0.1" || o.address == "::1" || o.address == "localhost";
  if (o.address == "localhost") o.address = "127.0.0.1";
  if (!loopback && o.token.empty()) {
    std::fprintf(stderr, "crm_web: listening on %s needs --token (anyone who can reach it could read the cluster)\n",
                 o.address.c_str());
    return crm::tools::kExitUsage;
  }
  asio::io_context io;
  Dashboard dashboard(io, o);
  if (Status s = dashboard.start(); !s.ok()) {
    std::fprintf(stderr, "crm_web: %s\n", s.message().c_str());
    return s.exit_code();
  }
  std::printf("crm_web: listening on http://%s:%u/\n", o.address.c_str(), o.port);
  std::fflush(stdout);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](beast::error_code, int) { io.stop(); });
  io.run();
  return 0;
}
