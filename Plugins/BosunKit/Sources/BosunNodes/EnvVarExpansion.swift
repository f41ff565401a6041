/// Kubernetes' `$(VAR)` references in env values, `command`, `args` and exec probe commands,
/// expanded by the kubelet's rules (`third_party/forked/golang/expansion`):
///
/// - `$(NAME)` becomes the value of `NAME` when it is defined, and stays `$(NAME)` verbatim when
///   it is not;
/// - `$$` is an escaped `$`: `$$(NAME)` becomes the literal `$(NAME)`;
/// - a `$` before anything else, a trailing `$` and an unclosed `$(` stay as written.
public enum EnvVarExpansion {
    /// `input` with its references expanded through `lookup` (`nil`: not defined).
    public static func expand(_ input: String, _ lookup: (String) -> String?) -> String {
        let bytes = Array(input.utf8)
        guard bytes.contains(UInt8(ascii: "$")) else { return input }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var cursor = 0
        while cursor < bytes.count {
            let byte = bytes[cursor]
            guard byte == UInt8(ascii: "$"), cursor + 1 < bytes.count else {
                output.append(byte)
                cursor += 1
                continue
            }
            let next = bytes[cursor + 1]
            if next == UInt8(ascii: "$") {
                output.append(next)
                cursor += 2
            } else if next == UInt8(ascii: "("), let close = bytes[(cursor + 2)...].firstIndex(of: UInt8(ascii: ")")) {
                let name = String(decoding: bytes[(cursor + 2)..<close], as: UTF8.self)
                if let value = lookup(name) {
                    output.append(contentsOf: value.utf8)
                } else {
                    output.append(contentsOf: bytes[cursor...close])
                }
                cursor = close + 1
            } else {
                // Not a reference (or an unclosed one): the `$` and what follows stay.
                output.append(byte)
                output.append(next)
                cursor += 2
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// `input` expanded with `variables`.
    public static func expand(_ input: String, with variables: [String: String]) -> String {
        expand(input) { variables[$0] }
    }
}
