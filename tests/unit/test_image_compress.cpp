#include <doctest/doctest.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

#include "core/image/compress.hpp"
#include "core/image/gzip_blocks.hpp"

using namespace ecp;
using namespace ecp::image;

namespace {

struct Collect : ByteSink {
  std::string bytes;
  void write(const void* data, std::size_t size) override { bytes.append(static_cast<const char*>(data), size); }
};

std::string gzip_of(const std::string& in, std::size_t slice) {
  Collect out;
  Compressor c(Compression::gzip, 1, out);
  for (std::size_t at = 0; at < in.size(); at += slice) c.write(in.data() + at, std::min(slice, in.size() - at));
  c.finish();
  return out.bytes;
}

// zlib's own reader (not ISA-L's), as clients have it: the whole gzip member.
std::string gunzip(const std::string& gz) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK);
  std::string out;
  std::vector<char> buf(1 << 16);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - z.avail_out);
  }
  CHECK(rc == Z_STREAM_END);  // CRC-32 and size checked by zlib
  CHECK(z.avail_in == 0);     // one member, nothing after it
  inflateEnd(&z);
  return out;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(g());
  return s;
}

}  // namespace

TEST_CASE("ecp::image gzip in independent blocks") {
  std::string text;
  while (text.size() < 2 * GzipBlocks::block_size + 12345) text += "line of a log file that repeats, more or less\n";
  // Text, then 2.5 blocks of incompressible bytes (a jar), then text again.
  std::string mixed = text + random_bytes(GzipBlocks::block_size * 5 / 2, 7) + text.substr(0, 70000);
  SUBCASE("every size round-trips through zlib, whatever the write sizes") {
    for (const std::string& in : {std::string(), std::string("a"), text, mixed}) {
      auto gz = gzip_of(in, 4096);
      CHECK(gunzip(gz) == in);
      CHECK(gzip_of(in, 1 << 20) == gz);  // the bytes do not depend on how they were written
      CHECK(gzip_of(in, 777) == gz);
    }
  }
  SUBCASE("text compresses; incompressible blocks are stored, not deflated again") {
    CHECK(gzip_of(text, 65536).size() < text.size() / 5);
    auto random = random_bytes(GzipBlocks::block_size * 2, 3);
    auto gz = gzip_of(random, 65536);
    // Stored: 5 bytes per stored block of at most 65535 bytes (5 for each 256 KiB
    // block), the empty final block, the header and the trailer.
    const std::size_t per_block = (GzipBlocks::block_size + 65534) / 65535;
    CHECK(gz.size() == random.size() + 2 * per_block * 5 + 5 + 10 + 8);
  }
  SUBCASE("a block alone is raw deflate, BFINAL only at the end") {
    auto last = deflate_block(reinterpret_cast<const unsigned char*>(text.data()), 100000, 1, true);
    auto more = deflate_block(reinterpret_cast<const unsigned char*>(text.data()), 100000, 1, false);
    CHECK((last[0] & 1) == 1);
    CHECK((more[0] & 1) == 0);
    // Not final: it ends with the byte-aligned empty stored block of a full flush.
    REQUIRE(more.size() > 4);
    CHECK(std::string(more.end() - 4, more.end()) == std::string("\x00\x00\xff\xff", 4));
  }
}
