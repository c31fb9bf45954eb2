#include "core/ops/app_layers.hpp"

#include <algorithm>
#include <set>

#include "core/util/error.hpp"
#include "core/util/text.hpp"

namespace ecp::ops {
namespace {

constexpr std::string_view history_prefix = "ecp build: ";
constexpr std::string_view history_infix = " layer of ";

std::vector<std::size_t> top_layers(std::size_t count, std::size_t layer_count) {
  std::vector<std::size_t> out;
  for (std::size_t i = layer_count - count; i < layer_count; ++i) out.push_back(i);
  return out;
}

std::vector<oci::Digest> parse_label(const std::string& value, const std::string& image) {
  std::vector<oci::Digest> out;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    auto comma = std::min(value.find(',', pos), value.size());
    std::string part = value.substr(pos, comma - pos);
    auto d = oci::Digest::try_parse(part);
    if (!d)
      fail(ErrorKind::validation, "image {}: its label {} holds '{}', which is not a layer digest", image,
           app_layers_label, part);
    if (std::find(out.begin(), out.end(), *d) != out.end())
      fail(ErrorKind::validation, "image {}: its label {} names layer {} twice", image, app_layers_label,
           d->to_string());
    out.push_back(*d);
    pos = comma + 1;
  }
  return out;
}

// By the label: what the build recorded must be the image's top layers, in order.
std::vector<std::size_t> by_label(const std::string& value, const oci::ImageConfig& c, std::size_t layer_count,
                                  const std::string& image) {
  auto recorded = parse_label(value, image);
  if (c.diff_ids.size() != layer_count)
    fail(ErrorKind::validation, "image {}: {} layers but {} diff_ids", image, layer_count, c.diff_ids.size());
  if (recorded.size() > layer_count)
    fail(ErrorKind::validation, "image {}: its label {} names {} layers, the image has {}", image, app_layers_label,
         recorded.size(), layer_count);
  std::size_t first = layer_count - recorded.size();
  for (std::size_t i = 0; i < recorded.size(); ++i)
    if (c.diff_ids[first + i] != recorded[i])
      fail(ErrorKind::validation,
           "image {}: layer {} of {} is {}, not the app layer {} its build recorded (label {}): the image was "
           "changed after ecp built it",
           image, first + i + 1, layer_count, c.diff_ids[first + i].to_string(), recorded[i].to_string(),
           app_layers_label);
  return top_layers(recorded.size(), layer_count);
}

// Images of older ecp versions: how many layers the top "ecp build:" entries of
// one build name. One build's entries share their creation time and "of APP
// (TYPE)" and name each layer once; a base built by ecp repeats a name ("app").
std::size_t older_build_layers(const std::vector<oci::History>& history) {
  std::set<std::string> names;
  std::string created, of;  // the topmost entry's
  std::size_t count = 0;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->empty_layer) continue;
    const std::string& by = it->created_by;
    auto infix = by.find(history_infix);
    if (!by.starts_with(history_prefix) || infix == std::string::npos) break;
    if (count == 0) {
      created = it->created;
      of = by.substr(infix);
    } else if (it->created != created || by.substr(infix) != of) {
      break;
    }
    if (!names.insert(by.substr(history_prefix.size(), infix - history_prefix.size())).second) break;
    ++count;
  }
  return count;
}

}  // namespace

std::string app_layers_label_value(const std::vector<oci::Digest>& diff_ids) {
  return text::join(diff_ids, ",", [](const oci::Digest& d) { return d.to_string(); });
}

std::vector<std::size_t> app_layer_indexes(const oci::ImageConfig& c, std::size_t layer_count,
                                           const std::string& image) {
  const auto& labels = c.config.labels;
  if (auto it = labels.find(std::string(app_layers_label)); it != labels.end())
    return by_label(it->second, c, layer_count, image);
  if (std::size_t n = older_build_layers(c.history); n > 0) {
    if (n > layer_count)
      fail(ErrorKind::validation, "image {}: its history names {} layers of ecp build, the image has {}", image, n,
           layer_count);
    return top_layers(n, layer_count);
  }
  bool by_ecp = labels.contains("ecp.app") || std::any_of(c.history.begin(), c.history.end(), [](const auto& h) {
                  return h.created_by.starts_with(history_prefix);
                });
  if (by_ecp)
    fail(ErrorKind::validation,
         "image {}: ecp built it, but neither a label {} nor its history tells which layers are the app's (its top "
         "layer is not one ecp made): build it again with this version of ecp",
         image, app_layers_label);
  return top_layers(layer_count, layer_count);
}

}  // namespace ecp::ops
