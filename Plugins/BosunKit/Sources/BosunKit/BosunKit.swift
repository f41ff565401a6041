/// BosunKit's version, checked by the plugin host against a plugin's descriptor.
public enum BosunKitVersion {
    public static let string = "0.1.0"
}
