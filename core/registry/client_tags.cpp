// GET /v2/<name>/tags/list, following the Link header's next page
// (distribution spec, "Listing Tags").
#include <regex>

#include "core/oci/json.hpp"
#include "core/registry/client.hpp"
#include "core/registry/error.hpp"
#include "core/registry/origin.hpp"

namespace ecp::registry {
namespace {

constexpr int max_pages = 100;

// The URL of `Link: <URL>; rel="next"`, or "" when there is no next page.
std::string next_link(const std::string& link) {
  static const std::regex next(R"re(<([^>]*)>\s*;\s*rel="?next"?)re", std::regex::icase);
  std::smatch m;
  return std::regex_search(link, m, next) ? m[1].str() : std::string();
}

}  // namespace

std::vector<std::string> Client::list_tags(const std::string& repo) {
  std::vector<std::string> tags;
  std::string url = base_url() + "/v2/" + repo + "/tags/list?n=100";
  for (int page = 0; !url.empty(); ++page) {
    const std::string operation = "GET tags/list";
    auto fail_page = [&](std::string why) {
      throw RegistryError(ErrorInfo{endpoint_.registry, repo, operation, 0, {}, std::move(why), false, {}}, "refused");
    };
    if (page == max_pages) fail_page(fmt::format("more than {} pages of tags", max_pages));
    HttpResponse r;
    with_retries(endpoint_.retry, [&] {
      r = send(operation, repo, scopes(repo),
               [&] {
                 HttpRequest req;
                 req.url = url;
                 req.max_body = std::size_t(4) << 20;
                 return req;
               },
               {200});
    });
    auto j = oci::Json::parse(r.body, nullptr, false);
    if (!j.is_object()) fail_page("the answer is not a JSON object");
    if (auto t = j.find("tags"); t != j.end() && !t->is_null()) {
      if (!t->is_array()) fail_page("\"tags\" is not an array");
      for (const auto& tag : *t) {
        if (!tag.is_string()) fail_page("a tag is not a string");
        tags.push_back(tag.get<std::string>());
      }
    }
    url.clear();
    if (auto link = next_link(r.header("link")); !link.empty()) {
      auto resolved = resolve_url(r.url.empty() ? base_url() + "/v2/" : r.url, link);
      // The next page stays on the registry's origin: a Link elsewhere is not followed.
      if (!resolved || !same_origin(*resolved, base_url() + "/"))
        fail_page(fmt::format("its Link '{}' leaves the registry", link));
      url = *resolved;
    }
  }
  return tags;
}

}  // namespace ecp::registry
