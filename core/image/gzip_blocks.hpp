#pragma once
// gzip in independent blocks, as pigz does: the stream is cut into blocks of a
// fixed size, each compressed on its own (raw deflate ending byte-aligned, with
// no history shared) by worker threads, one per core, and written in order by a
// thread of its own (hashing and writing the blob overlap the reading), inside
// one gzip member with the CRC-32 and size of the whole. Every gzip
// reader reads it. The bytes depend only on the input, the level and the block
// size, never on the number of threads or their timing: builds stay reproducible.
// A block whose first 16 KiB barely compress (jars, images: already compressed)
// is written as stored deflate blocks: deflating it again buys nothing and costs
// the most CPU of a build. Buffers are recycled, so memory stays at a few blocks.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace ecp::image {

class ByteSink;

// What one compressing thread keeps between blocks.
struct DeflateScratch {
  std::vector<unsigned char> level_buf, probe;
};

// One block as raw deflate into `out` (exposed for the tests): byte-aligned at
// its end, BFINAL set only when `last`.
void deflate_block(const unsigned char* data, std::size_t size, int level, bool last, std::vector<unsigned char>& out,
                   DeflateScratch& scratch);
std::vector<unsigned char> deflate_block(const unsigned char* data, std::size_t size, int level, bool last);

class GzipBlocks {
 public:
  static constexpr std::size_t block_size = std::size_t(256) << 10;
  // Writes the gzip header to `out` at once.
  GzipBlocks(int level, ByteSink& out);
  ~GzipBlocks();
  void write(const void* data, std::size_t size);
  void finish();  // the last block (BFINAL) and the trailer

 private:
  struct Job {
    std::vector<unsigned char> in, out;
    bool last = false, taken = false, done = false;
    std::exception_ptr error;
  };
  void submit(bool last);
  void drain(std::size_t keep);  // waits until at most `keep` blocks are queued; rethrows a failure
  void work();                   // a compressing thread
  void write_out();              // the writing thread: finished blocks to `out_`, in order
  void stop_workers();

  int level_;
  ByteSink& out_;
  std::vector<unsigned char> block_;
  std::uint32_t crc_ = 0;
  std::uint64_t total_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> jobs_;    // in stream order
  std::vector<std::shared_ptr<Job>> spare_;  // written jobs, their buffers kept for reuse
  std::vector<std::thread> workers_;
  std::thread writer_;
  std::exception_ptr failed_;  // what a worker or the writer threw: rethrown to the caller
  bool stopping_ = false;
};

}  // namespace ecp::image
