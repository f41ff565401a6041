import BosunKit

extension Resource {
    /// An ownerReference that makes this object the controller of the object carrying it, as
    /// controller-runtime's `SetControllerReference`: deleting the owner in the foreground
    /// waits for the child (`blockOwnerDeletion`), and `owns(_:)` maps the child back here.
    public var controllerReference: OwnerReference {
        OwnerReference(
            apiVersion: Self.apiVersion, kind: Self.kind, name: metadata.name ?? "", uid: metadata.uid ?? "",
            blockOwnerDeletion: true, controller: true)
    }

    /// The ownerReference marked `controller: true`, if any.
    public var controllerOwner: OwnerReference? {
        metadata.ownerReferences?.first { $0.controller == true }
    }

    /// Whether `owner` is this object's controller. Compared by uid: an owner deleted and
    /// recreated under the same name is another object.
    public func isControlled(by owner: some Resource) -> Bool {
        guard let uid = owner.metadata.uid, !uid.isEmpty else { return false }
        return controllerOwner?.uid == uid
    }
}
