// Codable through the JSON tree, in a file apart from the types so Swift does not synthesise a
// member-wise form: a `Quantity` in a Codable custom resource is written "100m", not its fields.

extension Quantity: Codable, JSONNativeCodable {}
extension IntOrString: Codable, JSONNativeCodable {}
extension Time: Codable, JSONNativeCodable {}
extension MicroTime: Codable, JSONNativeCodable {}
extension JSONObject: Codable, JSONNativeCodable {}
extension UnstructuredObject: Codable, JSONNativeCodable {}
