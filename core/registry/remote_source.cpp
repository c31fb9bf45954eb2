#include "core/registry/remote_source.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "core/util/error.hpp"

namespace ecp::registry {
namespace {

constexpr std::size_t buffer_limit = std::size_t(8) << 20;

// Thrown into the download when the reader goes away first.
struct Cancelled {};

class PipeReader : public BlobReader {
 public:
  PipeReader(Client& client, std::string repo, oci::Descriptor blob, std::int64_t offset) {
    thread_ = std::thread([this, &client, repo = std::move(repo), blob = std::move(blob), offset] {
      try {
        client.get_blob(repo, blob, [this](const char* data, std::size_t n) { push(data, n); }, {}, offset);
      } catch (const Cancelled&) {
      } catch (...) {
        std::lock_guard g(m_);
        error_ = std::current_exception();
      }
      std::lock_guard g(m_);
      finished_ = true;
      cv_.notify_all();
    });
  }
  ~PipeReader() override {
    {
      std::lock_guard g(m_);
      cancelled_ = true;
      cv_.notify_all();
    }
    thread_.join();
  }

  std::size_t read(char* buf, std::size_t n) override {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return !chunks_.empty() || finished_; });
    if (chunks_.empty()) {
      if (error_) std::rethrow_exception(error_);
      return 0;
    }
    std::string& front = chunks_.front();
    std::size_t len = std::min(n, front.size() - front_used_);
    std::copy_n(front.data() + front_used_, len, buf);
    front_used_ += len;
    buffered_ -= len;
    if (front_used_ == front.size()) {
      chunks_.pop_front();
      front_used_ = 0;
    }
    cv_.notify_all();
    return len;
  }

 private:
  void push(const char* data, std::size_t n) {
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return buffered_ < buffer_limit || cancelled_; });
    if (cancelled_) throw Cancelled{};
    chunks_.emplace_back(data, n);
    buffered_ += n;
    cv_.notify_all();
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  std::size_t front_used_ = 0;
  std::size_t buffered_ = 0;
  bool finished_ = false;
  bool cancelled_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace

BlobSource RemoteSource::blob(const oci::Descriptor& d) {
  BlobSource s;
  s.size = d.size;
  s.open = [this, d](std::int64_t offset) -> std::unique_ptr<BlobReader> {
    return std::make_unique<PipeReader>(client_, repository_, d, offset);
  };
  return s;
}

std::string RemoteSource::mount_repository(const std::string& registry) const {
  return registry == client_.registry() ? repository_ : std::string();
}

}  // namespace ecp::registry
