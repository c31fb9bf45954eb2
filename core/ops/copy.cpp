#include "core/ops/copy.hpp"

#include "core/oci/reference.hpp"
#include "core/registry/remote_source.hpp"
#include "core/util/error.hpp"

namespace ecp::ops {

CopyResult copy(const CopyOptions& o) {
  auto src = oci::parse_reference(o.source).with_default_tag();
  auto dst = oci::parse_reference(o.destination);
  if (dst.digest.valid())
    fail(ErrorKind::usage, "copy destination '{}': name a tag (or none), not a digest: the digest stays the source's",
         o.destination);
  if (dst.tag.empty()) dst.tag = src.tag;  // empty when the source is a digest: put by digest only

  Registries regs(o.registry);
  auto& from = regs.client(src.registry);
  auto& to = regs.client(dst.registry);
  to.set_push(true);

  auto top = from.get_manifest(src.repository, src.identifier());
  auto graph = registry::build_graph(top.descriptor(), top.bytes, [&](const oci::Descriptor& d) {
    auto m = from.get_manifest(src.repository, d.digest.to_string());
    return m.bytes;
  });
  registry::RemoteSource source(from, src.repository);
  CopyResult r;
  r.source = src.to_string();
  r.destination = dst.to_string();
  r.digest = top.digest.to_string();
  r.stats = registry::push_graph(graph, source, {{&to, dst.repository, dst.tag}}, regs.locations(), regs.jobs(),
                                 o.on_event);
  if (r.destination.find('@') == std::string::npos && dst.tag.empty()) r.destination += "@" + r.digest;
  return r;
}

}  // namespace ecp::ops
