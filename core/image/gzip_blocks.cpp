#include "core/image/gzip_blocks.hpp"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>

#include "core/image/compress.hpp"
#include "core/util/error.hpp"

namespace ecp::image {
namespace {

// gzip header without name or mtime (RFC 1952: magic, deflate, no flags, mtime 0,
// no extra flags, OS 255 "unknown"): the same bytes on every machine.
constexpr unsigned char gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
constexpr std::size_t sample_size = 16 * 1024;

std::size_t level_buf_size(int level) {
  switch (level) {
    case 1:
      return ISAL_DEF_LVL1_DEFAULT;
    case 2:
      return ISAL_DEF_LVL2_DEFAULT;
    case 3:
      return ISAL_DEF_LVL3_DEFAULT;
    default:
      return 0;
  }
}

// ISA-L's one-shot deflate of the whole of `data` (FULL_FLUSH unless last) into `out`.
void isal_block(const unsigned char* data, std::size_t size, int level, bool last, std::vector<unsigned char>& out,
                std::vector<unsigned char>& level_buf) {
  isal_zstream s;
  isal_deflate_stateless_init(&s);
  level_buf.resize(std::max(level_buf.size(), level_buf_size(level)));
  s.level = static_cast<uint32_t>(level);
  s.level_buf = level_buf.empty() ? nullptr : level_buf.data();
  s.level_buf_size = static_cast<uint32_t>(level_buf.size());
  s.gzip_flag = IGZIP_DEFLATE;
  s.flush = last ? NO_FLUSH : FULL_FLUSH;
  s.end_of_stream = last ? 1 : 0;
  // Stored blocks bound the worst case: 5 bytes per 64 KiB, plus headers.
  out.resize(size + size / 1024 + 1024);
  s.next_in = const_cast<unsigned char*>(data);
  s.avail_in = static_cast<uint32_t>(size);
  s.next_out = out.data();
  s.avail_out = static_cast<uint32_t>(out.size());
  if (int rc = isal_deflate_stateless(&s); rc != COMP_OK) fail(ErrorKind::internal, "ISA-L deflate failed ({})", rc);
  out.resize(out.size() - s.avail_out);
}

// Stored deflate blocks (RFC 1951 3.2.4): at most 65535 bytes each, starting on
// a byte boundary, which every block here does.
void stored_blocks(const unsigned char* data, std::size_t size, bool last, std::vector<unsigned char>& out) {
  out.clear();
  std::size_t at = 0;
  do {
    std::size_t n = std::min<std::size_t>(size - at, 65535);
    bool final = last && at + n == size;
    out.push_back(final ? 1 : 0);  // BFINAL, BTYPE 00, then padding to the byte
    out.push_back(static_cast<unsigned char>(n & 0xff));
    out.push_back(static_cast<unsigned char>(n >> 8));
    out.push_back(static_cast<unsigned char>(~n & 0xff));
    out.push_back(static_cast<unsigned char>((~n >> 8) & 0xff));
    out.insert(out.end(), data + at, data + at + n);
    at += n;
  } while (at < size);
}

void put_le32(std::vector<unsigned char>& v, std::uint32_t x) {
  for (int i = 0; i < 4; ++i) v.push_back(static_cast<unsigned char>(x >> (8 * i)));
}

}  // namespace

void deflate_block(const unsigned char* data, std::size_t size, int level, bool last, std::vector<unsigned char>& out,
                   DeflateScratch& scratch) {
  // The sample decides, so the same bytes always get the same treatment.
  std::size_t sample = std::min(size, sample_size);
  if (size == 0) return stored_blocks(data, 0, last, out);
  if (sample >= 4096) {
    isal_block(data, sample, 1, false, scratch.probe, scratch.level_buf);
    if (scratch.probe.size() * 100 >= sample * 95) return stored_blocks(data, size, last, out);
  }
  isal_block(data, size, level, last, out, scratch.level_buf);
}

std::vector<unsigned char> deflate_block(const unsigned char* data, std::size_t size, int level, bool last) {
  DeflateScratch scratch;
  std::vector<unsigned char> out;
  deflate_block(data, size, level, last, out, scratch);
  return out;
}

GzipBlocks::GzipBlocks(int level, ByteSink& out) : level_(level), out_(out) {
  block_.reserve(block_size);
  out_.write(gzip_header, sizeof gzip_header);
}

GzipBlocks::~GzipBlocks() { stop_workers(); }

void GzipBlocks::stop_workers() {
  {
    std::lock_guard g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (writer_.joinable()) writer_.join();
}

void GzipBlocks::write_out() {
  std::unique_lock lk(mu_);
  for (;;) {
    cv_.wait(lk, [&] { return stopping_ || (!jobs_.empty() && jobs_.front()->done); });
    if (jobs_.empty() || !jobs_.front()->done) return;  // stopping
    auto front = jobs_.front();
    jobs_.pop_front();
    bool write = !failed_;
    lk.unlock();
    std::exception_ptr error = front->error;
    if (write && !error) {
      try {
        out_.write(front->out.data(), front->out.size());
      } catch (...) {
        error = std::current_exception();
      }
    }
    lk.lock();
    if (error && !failed_) failed_ = error;
    spare_.push_back(std::move(front));
    cv_.notify_all();
  }
}

void GzipBlocks::work() {
  DeflateScratch scratch;
  std::unique_lock lk(mu_);
  for (;;) {
    std::shared_ptr<Job> job;
    cv_.wait(lk, [&] {
      if (stopping_) return true;
      for (auto& j : jobs_)
        if (!j->taken) {
          job = j;
          return true;
        }
      return false;
    });
    if (!job) return;
    job->taken = true;
    lk.unlock();
    try {
      deflate_block(job->in.data(), job->in.size(), level_, job->last, job->out, scratch);
    } catch (...) {
      job->error = std::current_exception();
    }
    lk.lock();
    job->done = true;
    cv_.notify_all();
  }
}

void GzipBlocks::write(const void* data, std::size_t size) {
  auto* p = static_cast<const unsigned char*>(data);
  crc_ = crc32_gzip_refl(crc_, p, size);
  total_ += size;
  while (size > 0) {
    std::size_t n = std::min(size, block_size - block_.size());
    block_.insert(block_.end(), p, p + n);
    p += n;
    size -= n;
    if (block_.size() == block_size) submit(false);
  }
}

void GzipBlocks::submit(bool last) {
  // A stream of one block is compressed here; a longer one by a worker per core,
  // with at most one block per worker queued while this thread reads on.
  const std::size_t cores = std::max(2u, std::thread::hardware_concurrency());
  if (last && workers_.empty()) {
    DeflateScratch scratch;
    std::vector<unsigned char> bytes;
    deflate_block(block_.data(), block_.size(), level_, true, bytes, scratch);
    out_.write(bytes.data(), bytes.size());
    block_.clear();
    return;
  }
  while (workers_.size() < cores) workers_.emplace_back([this] { work(); });
  if (!writer_.joinable()) writer_ = std::thread([this] { write_out(); });
  drain(cores);
  std::shared_ptr<Job> job;
  {
    std::lock_guard g(mu_);
    if (!spare_.empty()) {
      job = std::move(spare_.back());
      spare_.pop_back();
    } else {
      job = std::make_shared<Job>();
    }
    job->in.swap(block_);  // the block's bytes go to the job; a spare buffer comes back
    job->last = last;
    job->taken = job->done = false;
    job->error = nullptr;
    jobs_.push_back(job);
  }
  block_.clear();
  block_.reserve(block_size);
  cv_.notify_all();
}

void GzipBlocks::drain(std::size_t keep) {
  std::unique_lock lk(mu_);
  cv_.wait(lk, [&] { return jobs_.size() <= keep || failed_; });
  if (failed_) std::rethrow_exception(failed_);
}

void GzipBlocks::finish() {
  submit(true);
  drain(0);
  stop_workers();
  std::vector<unsigned char> trailer;
  put_le32(trailer, crc_);
  put_le32(trailer, static_cast<std::uint32_t>(total_));
  out_.write(trailer.data(), trailer.size());
}

}  // namespace ecp::image
