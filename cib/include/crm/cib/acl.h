// The CIB's access control lists, with the peer's semantics (Pacemaker
// Explained, "Access Control Lists"): with the cluster option enable-acl=true,
// every user other than root and hacluster reads and changes only what the
// <acls> section grants it.
//
//   <acls>
//     <acl_target id="alice"><role id="operator"/></acl_target>
//     <acl_group id="ops"><role id="operator"/></acl_group>
//     <acl_role id="operator">
//       <acl_permission id="p1" kind="read" xpath="/cib"/>
//       <acl_permission id="p2" kind="write" xpath="//nvpair[@name='target-role']"/>
//       <acl_permission id="p3" kind="deny" reference="secret-params"/>
//     </acl_role>
//   </acls>
//
//   if (acl_applies(cib, user)) {
//     Acl acl = Acl::of(cib, {user, ipc::group_names(user)});
//     ASSIGN_OR_RETURN(Cib visible, acl.readable(cib));
//     RETURN_IF_ERROR(acl.check_change(before, after));
//   }
//
// A permission selects elements by XPath (an attribute it matches stands for
// the element holding it), by id (reference), or by element name
// (object-type, with attribute: those that have it). Each selected element
// gets the permission's kind; an element's access is decided by the nearest
// element, itself or up towards <cib>, that has a kind: deny refuses, write
// allows reading and writing, read allows reading only (and lets a write
// look further up). Nothing selected means no access. A user that no
// acl_target or acl_group names has no access at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crm/cib/cib.h"
#include "crm/core/status.h"

namespace crm::cib {

// Who a request acts for.
struct AclSubject {
  std::string user;
  std::vector<std::string> groups;  // the user's groups, for acl_group
};

// The peer's rule: no user, root and hacluster are never restricted.
bool acl_required(std::string_view user);
// acl_required(user) and enable-acl=true in the CIB's cluster options.
bool acl_applies(const Cib& cib, std::string_view user);

class Acl {
 public:
  // The permissions the CIB's <acls> grant `subject`, in document order: its
  // acl_target (matched by name, else id), each acl_group it belongs to, and
  // the roles they refer to (also the 1.x forms: acl_user, role_ref and
  // read/write/deny elements).
  static Acl of(const Cib& cib, const AclSubject& subject);

  // True when nothing names the subject: it may read and write nothing.
  bool empty() const { return permissions_.empty(); }

  // A copy of `cib` holding only what the subject may read: unreadable
  // elements lose their attributes except id, and disappear when nothing
  // under them is readable. permission-denied when nothing is readable.
  Result<Cib> readable(const Cib& cib) const;

  // OK when every difference between `before` and `after` (the CIB before
  // and after a request) is one the subject may make: a changed, moved or
  // deleted element needs write where it was, a created one where it is
  // (an element with only an id outside <acls> is scaffolding, always
  // allowed, as the peer). The version and the daemon's stamps on <cib>
  // (epoch, num_updates, cib-last-written, update-*) are not the user's.
  // permission-denied naming the user and the first refused change.
  Status check_change(const Cib& before, const Cib& after) const;

 private:
  struct Permission {
    enum Kind : unsigned { kRead = 1, kWrite = 2, kDeny = 4 };
    Kind kind;
    std::string xpath;
  };
  std::string user_;
  std::vector<Permission> permissions_;
};

}  // namespace crm::cib
