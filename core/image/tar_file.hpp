#pragma once
// A minimal ustar writer for ecp's own outer archives (the docker-archive
// tarball), whose member names are short ASCII and whose sizes may be unknown
// until the member is written: a member's header is patched once its data is
// out, so huge members stream without being measured first.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/image/compress.hpp"

namespace ecp::image {

class TarFile : public ByteSink {
 public:
  // Writes to a temporary file beside `path`; commit() renames it into place.
  explicit TarFile(std::string path, std::int64_t mtime = 0);
  ~TarFile() override;
  TarFile(const TarFile&) = delete;
  TarFile& operator=(const TarFile&) = delete;

  void add(std::string_view name, std::string_view data);
  // begin(); write()...; end() streams a member of unknown size.
  void begin(std::string_view name);
  void write(const void* data, std::size_t size) override;
  void end();
  // Writes the end-of-archive blocks, syncs and renames into place.
  void commit();

 private:
  void header(std::string_view name, std::int64_t size, char* block) const;
  void put(const void* data, std::size_t size);
  std::string path_, tmp_;
  int fd_ = -1;
  std::int64_t mtime_;
  std::int64_t offset_ = 0;        // bytes written so far
  std::int64_t member_start_ = -1; // offset of the open member's header
  std::string member_name_;
};

}  // namespace ecp::image
