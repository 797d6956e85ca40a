/// Limits on what people type, so one paste cannot swamp every phone.
public enum FieldLimits {
    public static let title = 200
    public static let reason = 500
    public static let body = 2000
    public static let city = 100
    public static let option = 100
    public static let options = 2...10
    public static let lines = 1...1000
    public static let line = 500
    public static let rollCallSeconds = 10...600
}
