// crm_diff: the differences between two XML documents as a v2 patch, or a
// patch applied to a document, with the peer's options and exit codes:
// 0 no differences (nothing printed), 1 differences printed, 64 usage,
// 65 unreadable input; applying: 0 and the result printed, 103 an outdated
// patch (--cib), 1 any other failure. stderr stays empty when a patch is
// printed (crmsh takes any stderr text as a failure).
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "crm/cib/cib.h"

namespace {

using namespace crm;

constexpr int kExitError = 1;     // CRM_EX_ERROR (also: "differences found")
constexpr int kExitUsage = 64;    // CRM_EX_USAGE
constexpr int kExitDataErr = 65;  // CRM_EX_DATAERR
constexpr int kExitOld = 103;     // CRM_EX_OLD

void print(const xmlNode* node) {
  std::string text = xml::to_string(node, true);
  if (text.empty() || text.back() != '\n') text += '\n';
  std::cout << text << std::flush;
}

// A document from a string (raw), stdin ("-" or use_stdin) or a file.
Result<xml::DocPtr> load(const std::string& what, bool raw, bool from_stdin) {
  if (raw) return xml::parse(what, "string");
  if (from_stdin) return xml::parse_file("-");
  return xml::parse_file(what);
}

int apply(xml::DocPtr original, const xml::DocPtr& patch_doc, bool as_cib) {
  cib::Patch patch{xml::copy(patch_doc.get())};
  Status s;
  if (as_cib && xml::is(xml::root(original), "cib")) {
    auto cib = cib::Cib::parse(xml::to_string(original.get(), false), "original");
    s = cib.status();
    if (s.ok()) s = cib::apply_patch(*cib, patch);
    if (s.ok()) original = xml::copy(cib->doc());
  } else {
    s = cib::apply_patch(original, patch, {.check_version = as_cib});
  }
  if (!s.ok()) {
    fmt::print(stderr, "Could not apply patch: {}\n", s.message());
    return s.code() == StatusCode::kOutdated ? kExitOld : kExitError;
  }
  print(xml::root(original));
  return 0;
}

int generate(const xml::DocPtr& a, xml::DocPtr& b, bool as_cib, bool no_version) {
  if (no_version) {
    // As the peer: the new document takes the original's version, so that
    // versions never show as a change.
    for (const char* field : {"admin_epoch", "epoch", "num_updates"}) {
      if (auto v = xml::attr(xml::root(a), field)) {
        xml::set_attr(xml::root(b), field, *v);
      } else {
        xml::remove_attr(xml::root(b), field);
      }
    }
  }
  cib::DiffOptions options{.version = !no_version, .attribute_order = !as_cib};
  auto patch = cib::diff(xml::root(a), xml::root(b), options);
  if (!patch.ok()) {
    fmt::print(stderr, "crm_diff: {}\n", patch.status().message());
    return kExitError;
  }
  if (patch->empty()) return 0;
  if (as_cib && xml::is(xml::root(b), "cib")) {
    auto cib = cib::Cib::parse(xml::to_string(b.get(), false), "new");
    if (cib.ok()) xml::set_attr(xml::root(patch->doc), "config-digest", cib->digest());
  }
  print(xml::root(patch->doc));
  return kExitError;
}

int run(int argc, char** argv) {
  CLI::App app{
      "crm_diff - compare two configurations (XML) and print the difference as a patch, or apply such a patch"};
  app.set_version_flag("-$,--version", "crm crm_diff 0.1");
  std::string original, original_string, new_file, new_string, patch_file;
  bool as_cib = false, use_stdin = false, no_version = false;
  app.add_option("-o,--original", original, "The original XML is in the named file ('-': stdin)");
  app.add_option("-O,--original-string", original_string, "The original XML is the supplied string");
  app.add_option("-n,--new", new_file, "Compare the original with the XML in the named file ('-': stdin)");
  app.add_option("-N,--new-string", new_string, "Compare the original with the supplied string");
  app.add_option("-p,--patch", patch_file, "Apply the patch in the named file to the original and print the result");
  app.add_flag("-c,--cib", as_cib, "Compare/patch the inputs as a CIB (versions checked, config-digest written)");
  app.add_flag("-s,--stdin", use_stdin, "Read the XML from stdin");
  app.add_flag("-u,--no-version", no_version, "Generate the difference without version details");
  app.footer(
      "Examples:\n"
      "  cibadmin --query > cib-old.xml; ...; cibadmin --query > cib-new.xml\n"
      "  crm_diff --original cib-old.xml --new cib-new.xml > patch.xml\n"
      "  crm_diff --original cib-old.xml --patch patch.xml > updated.xml\n"
      "  cibadmin --patch -x patch.xml");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& err) {
    int rc = app.exit(err);
    return rc == 0 ? 0 : kExitUsage;
  }
  const bool applying = !patch_file.empty();
  if (applying && no_version) {
    fmt::print(stderr, "warning: -u/--no-version ignored with -p/--patch\n");
  } else if (as_cib && no_version) {
    fmt::print(stderr, "error: -u/--no-version incompatible with -c/--cib\n");
    return kExitUsage;
  }

  // As the peer: a string wins over stdin, stdin over a file.
  Result<xml::DocPtr> first = not_found("no original XML given");
  if (!original_string.empty()) {
    first = load(original_string, true, false);
  } else if (use_stdin || !original.empty()) {
    first = load(original, false, use_stdin);
  }
  const std::string second_name = applying ? patch_file : new_file;
  Result<xml::DocPtr> second = not_found("no new XML given");
  if (!new_string.empty() && !applying) {
    second = load(new_string, true, false);
  } else if (use_stdin || !second_name.empty()) {
    second = load(second_name, false, use_stdin);
  }
  if (!first.ok()) {
    fmt::print(stderr, "Could not parse the first XML fragment: {}\n", first.status().message());
    return kExitDataErr;
  }
  if (!second.ok()) {
    fmt::print(stderr, "Could not parse the second XML fragment: {}\n", second.status().message());
    return kExitDataErr;
  }
  if (applying) return apply(std::move(first).value(), *second, as_cib);
  return generate(*first, *second, as_cib, no_version);
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
