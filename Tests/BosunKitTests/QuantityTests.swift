import Testing

@testable import BosunKit

// Tables below come from upstream's quantity_test.go (k8s.io/apimachinery/pkg/api/resource),
// so our behaviour is checked against the expectations upstream holds itself to.

private func q(_ s: String) -> Quantity {
    do { return try Quantity(parsing: s) } catch { fatalError("\(s): \(error)") }
}

/// `value × 10^exponent` in `format`, like upstream's `decQuantity` test helper.
private func dec(_ value: Int64, _ exponent: Int, _ format: Quantity.Format) -> Quantity {
    Quantity(scaled: value, scale: exponent, format: format)
}

struct ParseCase: CustomTestStringConvertible, Sendable {
    let input: String
    let expect: Quantity
    var testDescription: String { input }
    init(_ input: String, _ expect: Quantity) {
        self.input = input
        self.expect = expect
    }
}

private let maxInt64Binary = Quantity(Int64.max, format: .binarySI)

private let parseTable: [ParseCase] = [
    .init("0", dec(0, 0, .decimalSI)), .init("0n", dec(0, 0, .decimalSI)), .init("0u", dec(0, 0, .decimalSI)),
    .init("0m", dec(0, 0, .decimalSI)), .init("0Ki", dec(0, 0, .binarySI)), .init("0k", dec(0, 0, .decimalSI)),
    .init("0Mi", dec(0, 0, .binarySI)), .init("0M", dec(0, 0, .decimalSI)), .init("0Gi", dec(0, 0, .binarySI)),
    .init("0G", dec(0, 0, .decimalSI)), .init("0Ti", dec(0, 0, .binarySI)), .init("0T", dec(0, 0, .decimalSI)),
    // Quantity-less numbers are allowed.
    .init("1", dec(1, 0, .decimalSI)),
    // Binary suffixes.
    .init("1Ki", dec(1024, 0, .binarySI)), .init("8Ki", dec(8 * 1024, 0, .binarySI)),
    .init("7Mi", dec(7 << 20, 0, .binarySI)), .init("6Gi", dec(6 << 30, 0, .binarySI)),
    .init("5Ti", dec(5 << 40, 0, .binarySI)), .init("4Pi", dec(4 << 50, 0, .binarySI)),
    .init("3Ei", dec(3 << 60, 0, .binarySI)), .init("10Ti", dec(10 << 40, 0, .binarySI)),
    .init("100Ti", dec(100 << 40, 0, .binarySI)),
    // Decimal suffixes.
    .init("5n", dec(5, -9, .decimalSI)), .init("4u", dec(4, -6, .decimalSI)), .init("3m", dec(3, -3, .decimalSI)),
    .init("9", dec(9, 0, .decimalSI)), .init("8k", dec(8, 3, .decimalSI)), .init("50k", dec(5, 4, .decimalSI)),
    .init("7M", dec(7, 6, .decimalSI)), .init("6G", dec(6, 9, .decimalSI)), .init("5T", dec(5, 12, .decimalSI)),
    .init("40T", dec(4, 13, .decimalSI)), .init("300T", dec(3, 14, .decimalSI)), .init("2P", dec(2, 15, .decimalSI)),
    .init("1E", dec(1, 18, .decimalSI)),
    // Decimal exponents.
    .init("1E-3", dec(1, -3, .decimalExponent)), .init("1e3", dec(1, 3, .decimalExponent)),
    .init("1E6", dec(1, 6, .decimalExponent)), .init("1e9", dec(1, 9, .decimalExponent)),
    .init("1E12", dec(1, 12, .decimalExponent)), .init("1e15", dec(1, 15, .decimalExponent)),
    .init("1E18", dec(1, 18, .decimalExponent)),
    // Nonstandard but still parsable.
    .init("1e14", dec(1, 14, .decimalExponent)), .init("1e13", dec(1, 13, .decimalExponent)),
    .init("100.035k", dec(100035, 0, .decimalSI)),
    // Things that look like floating point.
    .init("0.001", dec(1, -3, .decimalSI)), .init("0.0005k", dec(5, -1, .decimalSI)),
    .init("0.005", dec(5, -3, .decimalSI)), .init("0.05", dec(5, -2, .decimalSI)), .init("0.5", dec(5, -1, .decimalSI)),
    .init("0.00050k", dec(5, -1, .decimalSI)), .init("0.00500", dec(5, -3, .decimalSI)),
    .init("0.05000", dec(5, -2, .decimalSI)), .init("0.50000", dec(5, -1, .decimalSI)),
    .init("0.5e0", dec(5, -1, .decimalExponent)), .init("0.5e-1", dec(5, -2, .decimalExponent)),
    .init("0.5e-2", dec(5, -3, .decimalExponent)), .init("10.035M", dec(10035, 3, .decimalSI)),
    .init("1.2e3", dec(12, 2, .decimalExponent)), .init("1.3E+6", dec(13, 5, .decimalExponent)),
    .init("1.40e9", dec(14, 8, .decimalExponent)), .init("1.53E12", dec(153, 10, .decimalExponent)),
    .init("1.6e15", dec(16, 14, .decimalExponent)), .init("1.7E18", dec(17, 17, .decimalExponent)),
    .init("9.01", dec(901, -2, .decimalSI)), .init("8.1k", dec(81, 2, .decimalSI)),
    .init("7.123456M", dec(7_123_456, 0, .decimalSI)), .init("6.987654321G", dec(6_987_654_321, 0, .decimalSI)),
    .init("5.444T", dec(5444, 9, .decimalSI)), .init("40.1T", dec(401, 11, .decimalSI)),
    .init("300.2T", dec(3002, 11, .decimalSI)), .init("2.5P", dec(25, 14, .decimalSI)),
    .init("1.01E", dec(101, 16, .decimalSI)),
    // Things that saturate or round.
    .init("3.001n", dec(4, -9, .decimalSI)), .init("1.1E-9", dec(2, -9, .decimalExponent)),
    .init("0.0000000001", dec(1, -9, .decimalSI)), .init("0.0000000005", dec(1, -9, .decimalSI)),
    .init("0.00000000050", dec(1, -9, .decimalSI)), .init("0.5e-9", dec(1, -9, .decimalExponent)),
    .init("0.9n", dec(1, -9, .decimalSI)), .init("0.00000012345", dec(124, -9, .decimalSI)),
    .init("0.00000012354", dec(124, -9, .decimalSI)), .init("9Ei", maxInt64Binary),
    .init("9223372036854775807Ki", maxInt64Binary), .init("12E", dec(12, 18, .decimalSI)),
    // Fractional binary values.
    .init("100.035Ki", dec(10_243_584, -2, .binarySI)), .init("0.5Mi", dec(512 * 1024, 0, .binarySI)),
    .init("0.05Gi", dec(536_870_912, -1, .binarySI)), .init("0.025Ti", dec(274_877_906_944, -1, .binarySI)),
    // Things written by trolls.
    .init("0.000000000001Ki", dec(2, -9, .decimalSI)),  // rounds up, changes format
    .init(".001", dec(1, -3, .decimalSI)), .init(".0001k", dec(100, -3, .decimalSI)),
    .init("1.", dec(1, 0, .decimalSI)), .init("1.G", dec(1, 9, .decimalSI)),
]

@Suite struct QuantityParseTests {
    @Test(arguments: parseTable)
    func parses(_ c: ParseCase) throws {
        let got = try Quantity(parsing: c.input)
        #expect(got == c.expect)
        #expect(got.format == c.expect.format)
    }

    @Test(arguments: parseTable)
    func parsesNegated(_ c: ParseCase) throws {
        let got = try Quantity(parsing: "-" + c.input)
        #expect(got == -c.expect)
        #expect(got.format == c.expect.format)
        #expect(got.sign == -c.expect.sign)
    }

    @Test(arguments: parseTable)
    func parsesWithPlus(_ c: ParseCase) throws {
        let got = try Quantity(parsing: "+" + c.input)
        #expect(got == c.expect)
        #expect(got.format == c.expect.format)
    }

    @Test(arguments: parseTable)
    func canonicalFormReparsesToSameValue(_ c: ParseCase) throws {
        let got = try Quantity(parsing: c.input)
        let again = try Quantity(parsing: got.description)
        #expect(again == got)
        #expect(again.description == got.description)
    }

    @Test(arguments: [
        "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
        "1e4294967297", " 1", "1 ", "", "1e", "1Kie3", "1e3e", "1x", "1KiB", "--1", "1e2147483648",
        "1E-2147483648", "1E9223372036854775808", "0x10", "1,5", "1_000",
    ])
    func rejects(_ input: String) {
        #expect(throws: QuantityError.self) { try Quantity(parsing: input) }
        #expect((try? Quantity(parsing: input)) == nil)
    }

    @Test func errorKindsAndMessages() {
        #expect(throws: QuantityError(.formatWrong, input: "1.1.M")) { try Quantity(parsing: "1.1.M") }
        #expect(throws: QuantityError(.suffix, input: "0.1mi")) { try Quantity(parsing: "0.1mi") }
        #expect(throws: QuantityError(.suffix, input: "1e4294967297")) { try Quantity(parsing: "1e4294967297") }
        #expect(throws: QuantityError(.formatWrong, input: "")) { try Quantity(parsing: "") }
        // Digitless numbers are zero, except where upstream takes its exact path (below nano).
        #expect(throws: QuantityError(.numeric, input: ".e-10")) { try Quantity(parsing: ".e-10") }
        let e = QuantityError(.formatWrong, input: "abc")
        #expect(
            e.description
                == "invalid quantity \"abc\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        )
        #expect(QuantityError(.suffix, input: "1Q").message == "unable to parse quantity's suffix")
        #expect(QuantityError(.numeric, input: "x").message == "unable to parse numeric part of quantity")
    }

    @Test(arguments: [".", "-.", "+", "-", "000", "-0", "+0.000", ".Ki", ".n", ".e5", "0.e-20"])
    func oddZeros(_ input: String) throws {
        let got = try Quantity(parsing: input)
        #expect(got.isZero)
        #expect(got.description == "0")
    }

    @Test func digitlessZerosKeepTheirSuffixFormat() throws {
        #expect(try Quantity(parsing: "+Gi").format == .binarySI)
        #expect(try Quantity(parsing: ".e-0").format == .decimalExponent)
        #expect(try Quantity(parsing: "-0").format == .decimalSI)
        #expect(try Quantity(parsing: "0Ki").format == .binarySI)
    }

    @Test func exponentLimits() throws {
        #expect(try Quantity(parsing: "1E2147483647").description == "10e2147483646")
        #expect(try Quantity(parsing: "1E-2147483647").description == "1e-9")
        #expect(try Quantity(parsing: "-1E-2147483647").description == "-1e-9")
        #expect(try Quantity(parsing: "1e+3").description == "1e3")
        #expect(try Quantity(parsing: "1e-05").description == "10e-6")
        // Trailing zeros beyond the int32 exponent range do not wrap.
        #expect(try Quantity(parsing: "1000e2147483647").description == "10e2147483649")
    }

    @Test func hugeInputsStayCheap() throws {
        // Trailing zeros never become big arithmetic.
        let zeros = String(repeating: "0", count: 100_000)
        #expect(try Quantity(parsing: "1" + zeros).description == "10e99999")
        #expect(try Quantity(parsing: "0." + zeros + "1").description == "1n")
        #expect(try Quantity(parsing: "-1" + zeros + "Ki").description == "-9223372036854775807")
        // Many significant digits are kept exactly.
        let digits = String(repeating: "123456789", count: 200)
        let long = try Quantity(parsing: digits)
        #expect(long.description == digits)
        #expect(try Quantity(parsing: digits + ".5").description == digits + "500m")
        #expect((long + Quantity(1)).description == String(digits.dropLast(2)) + "90")
    }

    @Test func literalAndFailableInit() {
        let cpu: Quantity = "250m"
        #expect(cpu.milliValue == 250)
        #expect(Quantity("1Gi") == Quantity(1 << 30))  // a literal, as `"1Gi" as Quantity`
        #expect((try? Quantity(parsing: "nope")) == nil)
    }
}

struct StringCase: CustomTestStringConvertible, Sendable {
    let quantity: Quantity
    let expect: String
    let alternate: String
    var testDescription: String { expect }
    init(_ quantity: Quantity, _ expect: String, _ alternate: String = "") {
        self.quantity = quantity
        self.expect = expect
        self.alternate = alternate
    }
}

private let stringTable: [StringCase] = [
    .init(dec(1 << 30, 0, .binarySI), "1Gi", "1024Mi"), .init(dec(300 << 20, 0, .binarySI), "300Mi", "307200Ki"),
    .init(dec(6 * 1024, 0, .binarySI), "6Ki"), .init(dec(1001 << 30, 0, .binarySI), "1001Gi", "1025024Mi"),
    .init(dec(1 << 40, 0, .binarySI), "1Ti", "1024Gi"), .init(dec(5, 0, .binarySI), "5", "5000m"),
    .init(dec(500, -3, .binarySI), "500m", "0.5"), .init(dec(1, 9, .decimalSI), "1G", "1000M"),
    .init(dec(1000, 6, .decimalSI), "1G", "0.001T"), .init(dec(1_000_000, 3, .decimalSI), "1G"),
    .init(dec(1_000_000_000, 0, .decimalSI), "1G"), .init(dec(1, -3, .decimalSI), "1m", "1000u"),
    .init(dec(80, -3, .decimalSI), "80m"), .init(dec(1080, -3, .decimalSI), "1080m", "1.08"),
    .init(dec(108, -2, .decimalSI), "1080m", "1080000000n"), .init(dec(10800, -4, .decimalSI), "1080m"),
    .init(dec(300, 6, .decimalSI), "300M"), .init(dec(1, 12, .decimalSI), "1T"),
    // Past the last DecimalSI suffix: exponent notation, not a silent loss of magnitude.
    .init(dec(1, 18, .decimalSI), "1E"), .init(dec(1, 21, .decimalSI), "1e21", "1000E"),
    .init(dec(5, 21, .decimalSI), "5e21", "5000E"), .init(dec(1, 24, .decimalSI), "1e24", "1000000E"),
    // Past Ei: exponent notation where trailing zeros allow it.
    .init(dec(1, 70, .binarySI), "10e69"), .init(dec(2, 70, .binarySI), "20e69"), .init(dec(1, 72, .binarySI), "1e72"),
    .init(dec(1_234_567, 6, .decimalSI), "1234567M"), .init(dec(1_234_567, -3, .binarySI), "1234567m"),
    .init(dec(3, 3, .decimalSI), "3k"), .init(dec(1025, 0, .binarySI), "1025"),
    .init(dec(0, 0, .decimalSI), "0"), .init(dec(0, 0, .binarySI), "0"),
    .init(dec(1, 9, .decimalExponent), "1e9", ".001e12"), .init(dec(1, -3, .decimalExponent), "1e-3", "0.001e0"),
    .init(dec(1, -9, .decimalExponent), "1e-9", "1000e-12"), .init(dec(80, -3, .decimalExponent), "80e-3"),
    .init(dec(300, 6, .decimalExponent), "300e6"), .init(dec(1, 12, .decimalExponent), "1e12"),
    .init(dec(1, 3, .decimalExponent), "1e3"), .init(dec(3, 3, .decimalExponent), "3e3"),
    .init(dec(0, 0, .decimalExponent), "0", "00"), .init(dec(1, -9, .decimalSI), "1n"),
    .init(dec(80, -9, .decimalSI), "80n"), .init(dec(1080, -9, .decimalSI), "1080n"),
    .init(dec(108, -8, .decimalSI), "1080n"), .init(dec(10800, -10, .decimalSI), "1080n"),
    .init(dec(1, -6, .decimalSI), "1u"), .init(dec(80, -6, .decimalSI), "80u"), .init(dec(1080, -6, .decimalSI), "1080u"),
]

@Suite struct QuantityFormattingTests {
    @Test(arguments: stringTable)
    func canonicalString(_ c: StringCase) throws {
        #expect(c.quantity.description == c.expect)
        #expect(try Quantity(parsing: c.expect).description == c.expect)
        if !c.alternate.isEmpty {
            #expect(try Quantity(parsing: c.alternate).description == c.expect)
        }
        if !c.quantity.isZero {
            #expect((-c.quantity).description == "-" + c.expect)
        }
    }

    @Test(arguments: [
        ("1Ki", "1Ki"), ("1Mi", "1Mi"), ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1000M", "1G"), (".001Ki", "1024m"),
        (".000001Ki", "1024u"), (".000000001Ki", "1024n"), (".000000000001Ki", "2n"),
        // From the brief and common manifests.
        ("100m", "100m"), ("1000m", "1"), ("0.1", "100m"), ("1.5Gi", "1536Mi"), ("2e3", "2e3"), ("1.5", "1500m"),
        ("0.5Gi", "512Mi"), ("0.0000000001", "1n"), ("0", "0"), ("128974848", "128974848"), ("129e6", "129e6"),
        ("129M", "129M"), ("123Mi", "123Mi"), ("250m", "250m"), ("2", "2"), ("64Mi", "64Mi"), ("1.5k", "1500"),
        ("1500", "1500"), ("2000", "2k"), ("1.500", "1500m"), ("01", "1"), ("8Ei", "9223372036854775807"),
        ("1536Ki", "1536Ki"), ("1048576Ki", "1Gi"), ("100.035Ki", "102435840m"), ("1023Ki", "1023Ki"),
        ("1E3", "1e3"), ("12e6", "12e6"), ("1.5e1", "15"),
    ])
    func parseEmit(_ input: String, _ expect: String) throws {
        #expect(try Quantity(parsing: input).description == expect)
        let negative = try Quantity(parsing: "-" + input)
        #expect(negative.description == (expect == "0" ? "0" : "-" + expect))
    }

    @Test func belowNanoUsesExponent() {
        // Not reachable by parsing (which rounds to nano), only by construction.
        #expect(dec(1, -12, .decimalSI).description == "1e-12")
        #expect(dec(1, -10, .decimalSI).description == "100e-12")
    }

    @Test func binarySIIntegersWithoutSuffix() {
        #expect(dec(2000, 0, .binarySI).description == "2000")
        #expect(dec(-2000, 0, .binarySI).description == "-2000")
        #expect(dec(-1023, 0, .binarySI).description == "-1023")
        #expect(dec(-1024, 0, .binarySI).description == "-1Ki")
        #expect(dec(1023, 0, .binarySI).description == "1023")
    }

    @Test func binarySIWithLargeDecimalExponent() throws {
        // (2^63-1) × 10^69 is divisible by 2^69: six factors of 1024, so it prints with Ei and
        // 70 digits (through the stack buffer used for one-word magnitudes).
        let q = Quantity(scaled: .max, scale: 69, format: .binarySI)
        let text = q.description
        #expect(text.hasSuffix("Ei"))
        #expect(text.count == 72)
        // (Parsing it back would cap it at 2^63-1, as upstream; check the digits instead.)
        #expect(try Quantity(parsing: String(text.dropLast(2))).multiplied(by: 1 << 60) == q)
        #expect(q.jsonString() == "\"\(text)\"")
        #expect((-q).description == "-" + text)
    }

    @Test func binarySIPastEiByArithmetic() throws {
        // 1Ei × 1024 = 2^70 has no suffix and no trailing decimal zeros: full digits.
        let q = try Quantity(parsing: "1Ei").multiplied(by: 1024)
        #expect(q.description == "1180591620717411303424")
        #expect(q.jsonString() == "\"1180591620717411303424\"")
        #expect(try Quantity(jsonString: q.jsonString()) == q)
        #expect(try Quantity(parsing: q.description) == q)
        // Two 8Ei: 2^64 = 16Ei.
        // (Parsing caps 8Ei at 2^63-1, as upstream does.)
        #expect((try Quantity(parsing: "8Ei") + Quantity(parsing: "8Ei")).description == "18446744073709551614")
        let exact = Quantity(Int64.min, format: .binarySI).multiplied(by: -2)  // 2^64
        #expect(exact.description == "16Ei")
    }

    @Test(arguments: [
        // (input, canonical) from upstream TestParseQuantity, around the int64 boundary.
        ("-999999999999999999", "-999999999999999999"), ("999999999999999999.0", "999999999999999999"),
        ("999999999999999999.1", "999999999999999999100m"), ("-9999999999999999999", "-9999999999999999999"),
        ("9999999999999999999", "9999999999999999999"), ("-1E", "-1E"), ("1000000000000000000", "1E"),
        ("-1000000000000000000", "-1E"), ("9999999999999999999.0", "9999999999999999999"),
        ("1.0E", "1E"), ("9999999999999999999000m", "9999999999999999999"),
        ("-9999999999999999999.1", "-9999999999999999999100m"), ("1.0000000000000000001E", "1000000000000000000100m"),
        ("-1000000000000000000.1", "-1000000000000000000100m"), ("1.000000000000000001E", "1000000000000000001"),
        ("10E", "10E"), ("-10000000000000000000", "-10E"), ("10.0E", "10E"), ("10000000000000000000000m", "10E"),
        ("10.0000000000000000001E", "10000000000000000000100m"), ("10.000000000000000001E", "10000000000000000001"),
        ("-9223372036854775809", "-9223372036854775809"), ("9223372036854775806.0", "9223372036854775806"),
        ("-9223372036854775808000m", "-9223372036854775808"), ("9223372036854775807.1", "9223372036854775807100m"),
        ("-9223372036854775808", "-9223372036854775808"), ("9223372036854775808", "9223372036854775808"),
        // Beyond the brief: far past int64, decimal stays exact, binary caps.
        ("9999999999999999999999", "9999999999999999999999"), ("9999999999999999999999Ei", "9223372036854775807"),
        ("-9999999999999999999999Ei", "-9223372036854775807"), ("123456789012345678901234567890k", "123456789012345678901234567890k"),
        ("1.5e30", "1500e27"), ("0.000000000000000000000000001Ei", "2n"),
    ])
    func largeValues(_ input: String, _ canonical: String) throws {
        let got = try Quantity(parsing: input)
        #expect(got.description == canonical)
        #expect(try Quantity(parsing: canonical) == got)
    }
}

@Suite struct QuantityValueTests {
    @Test(arguments: [
        ("-.484785E-7466", -1, -1), (".484785E-7466", 1, 1), ("-.484785E-1", -1, -49), (".484785E-1", 1, 49),
        ("-0.0005", -1, -1), ("0.0005", 1, 1), ("-1500m", -2, -1500), ("1500m", 2, 1500),
        ("-9.5000000001Gi", -10_200_547_329, -10_200_547_328_108), ("9.5000000001Gi", 10_200_547_329, 10_200_547_328_108),
        ("-1", -1, -1000), ("1", 1, 1000), ("0", 0, 0), ("1Gi", 1 << 30, 1000 << 30), ("1n", 1, 1),
    ] as [(String, Int64, Int64)])
    func valueAndMilliValueRoundAwayFromZero(_ input: String, _ value: Int64, _ milli: Int64) throws {
        let got = try Quantity(parsing: input)
        #expect(got.value == value)
        #expect(got.milliValue == milli)
    }

    @Test func extremeScalesDoNotTrap() throws {
        let q = try Quantity(parsing: "5")
        #expect(q.scaledValue(.max) == 1)
        #expect(q.scaledValue(.min) == .max)
        #expect((-q).scaledValue(.max) == -1)
        #expect((-q).scaledValue(.min) == .min)
        #expect(Quantity.zero.scaledValue(.min) == 0)
    }

    @Test func valuesSaturate() throws {
        #expect(try Quantity(parsing: "100E").value == .max)
        #expect(try Quantity(parsing: "-100E").value == .min)
        #expect(try Quantity(parsing: "9223372036854775807").milliValue == .max)
        #expect(try Quantity(parsing: "1e2147483647").value == .max)
        #expect(try Quantity(parsing: "-9223372036854775808").value == .min)
        #expect(try Quantity(parsing: "9223372036854775807").value == .max)
        #expect(try Quantity(parsing: "9223372036854775807").int64Value == .max)
        #expect(try Quantity(parsing: "9223372036854775808").int64Value == nil)
        #expect(try Quantity(parsing: "-9223372036854775808").int64Value == .min)
        #expect(try Quantity(parsing: "1500m").int64Value == nil)
        #expect(try Quantity(parsing: "3k").int64Value == 3000)
    }

    @Test(arguments: [
        (-9, -9, 1), (-9, -6, 1), (-9, -3, 1), (-9, 0, 1), (-6, -9, 1000), (-6, -6, 1), (-6, -3, 1), (-6, 0, 1),
        (-3, -9, 1_000_000), (-3, -6, 1000), (-3, -3, 1), (-3, 0, 1), (0, -9, 1_000_000_000), (0, -6, 1_000_000),
        (0, -3, 1000), (0, 0, 1), (2, -2, 10000),
    ] as [(Int, Int, Int64)])
    func scaledValue(_ from: Int, _ to: Int, _ expect: Int64) {
        #expect(Quantity(scaled: 1, scale: from).scaledValue(to) == expect)
    }

    @Test func constructors() throws {
        // Upstream TestMilliNewSet / TestNewSet / TestNewScaledSet.
        #expect(Quantity(milli: 1).description == "1m")
        #expect(Quantity(milli: 1000).description == "1")
        #expect(Quantity(milli: 1_234_000).description == "1234")
        #expect(Quantity(milli: 1024, format: .binarySI).description == "1024m")
        #expect(Quantity(milli: 1_000_000, format: .decimalExponent).description == "1e3")
        #expect(Quantity(milli: 1024 * 1024, format: .binarySI).description == "1048576m")
        #expect(Quantity(1).description == "1")
        #expect(Quantity(1000).description == "1k")
        #expect(Quantity(1_234_000).description == "1234k")
        #expect(Quantity(1024, format: .binarySI).description == "1Ki")
        #expect(Quantity(1_000_000, format: .decimalExponent).description == "1e6")
        #expect(Quantity(1024 * 1024, format: .binarySI).description == "1Mi")
        #expect(Quantity(Int64.min).description == "-9223372036854775808")
        let scaled: [(Int64, Int, String)] = [
            (1, -9, "1n"), (1000, -9, "1u"), (1, -6, "1u"), (1000, -6, "1m"), (1, -3, "1m"), (1000, -3, "1"),
            (1, 0, "1"), (0, -9, "0"), (0, -6, "0"), (0, -3, "0"), (0, 0, "0"),
        ]
        for (value, scale, text) in scaled {
            let q = Quantity(scaled: value, scale: scale)
            #expect(q.description == text)
            #expect(try Quantity(parsing: q.description).scaledValue(scale) == value)
        }
        #expect(Quantity() == .zero)
        #expect(Quantity.zero.description == "0")
    }

    @Test func signAndZero() throws {
        #expect(try Quantity(parsing: "-1m").sign == -1)
        #expect(try Quantity(parsing: "0Gi").sign == 0)
        #expect(try Quantity(parsing: "0Gi").isZero)
        #expect(try Quantity(parsing: "1n").sign == 1)
        #expect(!(try Quantity(parsing: "1n").isZero))
    }

    @Test func approximateDouble() throws {
        #expect(try Quantity(parsing: "2Ki").approximateDouble == 2048)
        #expect(try Quantity(parsing: "1.1Ki").approximateDouble == 1126.4)
        #expect(try Quantity(parsing: "1Mi").approximateDouble == 1.048576e6)
        #expect(try Quantity(parsing: "2Gi").approximateDouble == 2.147483648e9)
        #expect(try Quantity(parsing: "12E").approximateDouble == 1.2e19)
        #expect(try Quantity(parsing: "100m").approximateDouble == 0.1)
        #expect(try Quantity(parsing: "-1.5").approximateDouble == -1.5)
        #expect(dec(12, 500, .decimalSI).approximateDouble == .infinity)
        #expect(dec(-12, 500, .decimalSI).approximateDouble == -.infinity)
        #expect(Quantity.zero.approximateDouble == 0)
    }
}

@Suite struct QuantityComparisonTests {
    @Test(arguments: [
        ("0", "0", 0), ("100m", "50m", 1), ("50m", "100m", -1), ("10000T", "100Gi", 1), ("1Gi", "1073741824", 0),
        ("1000m", "1", 0), ("1", "1000000000n", 0), ("1Ki", "1.024k", 0), ("-1", "1", -1), ("-2", "-1", -1),
        ("1e2147483647", "1", 1), ("1E-2147483647", "1n", 0), ("1e2147483647", "2e2147483646", 1),
        ("9999999999999999999999", "9999999999999999999998", 1), ("1E", "999999999999999999999m", 1),
        ("-1e30", "1", -1), ("-1e30", "-1e29", -1), ("12345678901234567890123", "12345678901234567890.123k", 0),
    ] as [(String, String, Int)])
    func compares(_ x: String, _ y: String, _ expect: Int) throws {
        let a = try Quantity(parsing: x)
        let b = try Quantity(parsing: y)
        #expect(a.compare(to: b) == expect)
        #expect(b.compare(to: a) == -expect)
        #expect((a < b) == (expect < 0))
        #expect((a == b) == (expect == 0))
        if expect == 0 { #expect(a.hashValue == b.hashValue) }
    }

    @Test func int64BoundaryComparisons() {
        // From upstream TestQuantityCmpInt64AndDec.
        let table: [(Quantity, Quantity, Int)] = [
            (dec(901, -2, .decimalSI), dec(901, -2, .decimalSI), 0), (dec(90, -1, .decimalSI), dec(901, -2, .decimalSI), -1),
            (dec(901, -2, .decimalSI), dec(900, -2, .decimalSI), 1), (dec(0, 1, .decimalSI), dec(0, -1, .decimalSI), 0),
            (dec(800, -3, .decimalSI), dec(1, 0, .decimalSI), -1), (dec(800, -3, .decimalSI), dec(79, -2, .decimalSI), 1),
            (dec(.max, 0, .decimalSI), dec(1, -1, .decimalSI), 1), (dec(.max, 1, .decimalSI), dec(1, 0, .decimalSI), 1),
            (dec(.max, 1, .decimalSI), dec(1, 1, .decimalSI), 1), (dec(.max, 1, .decimalSI), dec(0, 1, .decimalSI), 1),
            (dec(.max, -16, .decimalSI), dec(1, 3, .decimalSI), -1), (dec(.min, 0, .decimalSI), dec(0, 0, .decimalSI), -1),
            (dec(.min, -18, .decimalSI), dec(-1, 0, .decimalSI), -1), (dec(.min, -19, .decimalSI), dec(-1, 0, .decimalSI), 1),
            (dec(1_000_000_000_000_000_000, -17, .decimalSI), dec(1, 1, .decimalSI), 0),
            (dec(1_000_000_000_000_000_000, -17, .decimalSI), dec(-10, 0, .decimalSI), 1),
            (dec(-1_000_000_000_000_000_000, -17, .decimalSI), dec(-10, 0, .decimalSI), 0),
            (dec(1_000_000_000_000_000_000, -17, .decimalSI), dec(1, 0, .decimalSI), 1),
            (dec(1_000_000_000_000_000_001, -17, .decimalSI), dec(1, 1, .decimalSI), 1),
            (dec(999_999_999_999_999_999, -17, .decimalSI), dec(1, 1, .decimalSI), -1),
        ]
        for (a, b, expect) in table {
            #expect(a.compare(to: b) == expect, "\(a) vs \(b)")
            #expect(b.compare(to: a) == -expect, "\(b) vs \(a)")
        }
    }

    @Test func equalityIgnoresFormat() throws {
        let a = try Quantity(parsing: "1Gi")
        let b = try Quantity(parsing: "1073741824")
        #expect(a == b)
        #expect(a.description != b.description)
        #expect(Set([a, b]).count == 1)
        #expect([try Quantity(parsing: "2"), try Quantity(parsing: "100m"), try Quantity(parsing: "1Ki")].sorted()
            .map(\.description) == ["100m", "2", "1Ki"])
    }
}

@Suite struct QuantityArithmeticTests {
    @Test func addAndSubKeepOrAdoptFormat() throws {
        // Upstream TestQuantityAddZeroPreservesSuffix / TestQuantitySubZeroPreservesSuffix.
        for text in ["100m", "1Gi"] {
            let value = try Quantity(parsing: text)
            let zero = try Quantity(parsing: "0")
            var v1 = value
            v1.add(zero)
            #expect(v1.description == text)
            var v2 = zero
            v2.add(value)
            #expect(v2.description == text)
            var v3 = value
            v3.sub(zero)
            #expect(v3.description == text)
            var v4 = zero
            v4.sub(value)
            #expect(v4.description == (-value).description)
        }
    }

    @Test func addAndSubTables() {
        // Upstream TestAdd / TestSub.
        let adds: [(Quantity, Quantity, Quantity)] = [
            (dec(10, 0, .decimalSI), dec(1, 1, .decimalSI), dec(20, 0, .decimalSI)),
            (dec(10, 0, .decimalSI), dec(1, 0, .binarySI), dec(11, 0, .decimalSI)),
            (dec(10, 0, .binarySI), dec(1, 0, .decimalSI), dec(11, 0, .binarySI)),
            (.zero, dec(50, 0, .decimalSI), dec(50, 0, .decimalSI)), (dec(50, 0, .decimalSI), .zero, dec(50, 0, .decimalSI)),
            (.zero, .zero, .zero),
        ]
        for (a, b, expect) in adds {
            var x = a
            x.add(b)
            #expect(x == expect)
            #expect(x.format == expect.format || a.isZero)
        }
        let subs: [(Quantity, Quantity, Quantity)] = [
            (dec(10, 0, .decimalSI), dec(1, 1, .decimalSI), dec(0, 0, .decimalSI)),
            (dec(10, 0, .decimalSI), dec(1, 0, .binarySI), dec(9, 0, .decimalSI)),
            (dec(10, 0, .binarySI), dec(1, 0, .decimalSI), dec(9, 0, .binarySI)),
            (.zero, dec(50, 0, .decimalSI), dec(-50, 0, .decimalSI)), (dec(50, 0, .decimalSI), .zero, dec(50, 0, .decimalSI)),
            (.zero, .zero, .zero),
        ]
        for (a, b, expect) in subs {
            #expect(a - b == expect)
        }
    }

    @Test func int64OverflowMovesToExactArithmetic() throws {
        // Upstream TestNegAndSubAtMostNegative and friends.
        let mostNegative = Quantity(Int64.min)
        #expect((-mostNegative).description == "9223372036854775808")
        #expect((Quantity.zero - mostNegative).description == "9223372036854775808")
        #expect((Quantity(1) - mostNegative).description == "9223372036854775809")
        #expect((Quantity(1) - mostNegative).int64Value == nil)
        #expect((Quantity(10) - mostNegative).description == "9223372036854775818")
        #expect((-Quantity(Int64.min + 1)).int64Value == .max)
        #expect((-Quantity(scaled: .min, scale: -3)).description == "9223372036854775808m")
        #expect((Quantity(milli: 1) - Quantity(scaled: .min, scale: -3)).description == "9223372036854775809m")
        let binary = Quantity.zero - Quantity(Int64.min, format: .binarySI)
        #expect(binary.format == .binarySI)
        #expect(binary.description == "8Ei")
        #expect((Quantity(.max) + Quantity(.max)).description == "18446744073709551614")
        #expect((Quantity(.max) + Quantity(.max) - Quantity(.max)).int64Value == .max)
    }

    @Test func multiply() {
        // Upstream TestMul (values; we stay exact where upstream reports inexact).
        let table: [(Quantity, Int64, Quantity)] = [
            (dec(10, 0, .decimalSI), 10, dec(100, 0, .decimalSI)), (dec(10, 0, .binarySI), 1, dec(10, 0, .binarySI)),
            (.zero, 50, .zero), (dec(50, 0, .decimalSI), 0, .zero), (dec(10, 0, .decimalSI), -10, dec(-100, 0, .decimalSI)),
            (dec(-50, 0, .decimalSI), -50, dec(2500, 0, .decimalSI)), (dec(.max, 0, .decimalSI), -1, dec(-.max, 0, .decimalSI)),
            (dec(.max, 0, .decimalSI), 10, dec(.max, 1, .decimalSI)), (dec(.min, 0, .decimalSI), 10, dec(.min, 1, .decimalSI)),
            (dec(.min / 2, 0, .decimalSI), 2, dec(.min, 0, .decimalSI)),
        ]
        for (a, factor, expect) in table {
            #expect(a.multiplied(by: factor) == expect, "\(a) × \(factor)")
        }
        #expect(dec(.max, 0, .decimalSI).multiplied(by: 2).description == "18446744073709551614")
        #expect(dec(.min, 0, .decimalSI).multiplied(by: -1).description == "9223372036854775808")
        #expect(dec(10, 0, .binarySI).multiplied(by: -1).format == .binarySI)
    }

    @Test func additionAcrossAbsurdMagnitudes() throws {
        // Within 10 000 orders of magnitude, sums are exact.
        let big = try Quantity(parsing: "1e9000")
        let sum = big + Quantity(1)
        #expect(sum > big)
        #expect(sum - big == Quantity(1))
        #expect(sum.description.count == 9001)
        // Beyond that the smaller addend is negligible and dropped instead of expanding
        // billions of digits.
        let huge = try Quantity(parsing: "1e2147483647")
        #expect(huge + Quantity(1) == huge)
        #expect(Quantity(1) + huge == huge)
        #expect((Quantity(1) + huge).format == .decimalSI)
        #expect(huge - huge == .zero)
        #expect(try Quantity(parsing: "-1e2147483647") + huge == .zero)
        // Operands with many digits and a large exponent gap but similar size stay exact.
        let digits = try Quantity(parsing: "1" + String(repeating: "1", count: 12_000))
        let rounded = try Quantity(parsing: "2e12000")
        #expect((rounded - digits).description == String(repeating: "8", count: 11_999) + "9")
    }

    @Test func addSubRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for scale in -10...10 {
            var total = Quantity.zero
            var order: [Int64] = []
            for _ in 0..<100 {
                let j = Int64.random(in: 0...Int64.max, using: &generator)
                order.append(j)
                total.add(Quantity(scaled: j, scale: scale))
            }
            for j in order { total.sub(Quantity(scaled: j, scale: scale)) }
            #expect(total.isZero)
        }
        var total = Quantity.zero
        var order: [Int64] = []
        for _ in 0..<100 {
            let j = Int64.random(in: 0...Int64.max, using: &generator)
            order.append(j)
            total += Quantity(scaled: j, scale: Int(j % 20) - 10)
        }
        for j in order { total -= Quantity(scaled: j, scale: Int(j % 20) - 10) }
        #expect(total.isZero)
    }

    @Test func roundUp() throws {
        // Upstream TestQuantityRoundUp.
        let table: [(String, Int, Quantity, Bool)] = [
            ("9.01", -3, dec(901, -2, .decimalSI), true), ("9.01", -2, dec(901, -2, .decimalSI), true),
            ("9.01", -1, dec(91, -1, .decimalSI), false), ("9.01", 0, dec(10, 0, .decimalSI), false),
            ("9.01", 1, dec(10, 0, .decimalSI), false), ("9.01", 2, dec(100, 0, .decimalSI), false),
            ("-9.01", -3, dec(-901, -2, .decimalSI), true), ("-9.01", -2, dec(-901, -2, .decimalSI), true),
            ("-9.01", -1, dec(-91, -1, .decimalSI), false), ("-9.01", 0, dec(-10, 0, .decimalSI), false),
            ("-9.01", 1, dec(-10, 0, .decimalSI), false), ("-9.01", 2, dec(-100, 0, .decimalSI), false),
        ]
        for (input, scale, expect, exact) in table {
            var got = try Quantity(parsing: input)
            #expect(got.roundUp(scale: scale) == exact)
            #expect(got == expect)
        }
    }

    @Test func negateTwiceIsIdentity() {
        for k in -10...10 {
            for _ in 0..<20 {
                let j = Int64.random(in: .min ... .max)
                let original = Quantity(scaled: j, scale: k)
                var b = original
                b.negate()
                b.negate()
                #expect(b == original)
            }
        }
    }
}

@Suite struct QuantityJSONTests {
    @Test func encodesCanonicalString() throws {
        #expect(try Quantity(parsing: "1.5Gi").jsonString() == "\"1536Mi\"")
        #expect(try Quantity(parsing: "0.1").jsonString() == "\"100m\"")
        #expect(Quantity.zero.jsonString() == "\"0\"")
        #expect(try Quantity(parsing: "-2e3").jsonString() == "\"-2e3\"")
        #expect(try [Quantity(parsing: "1"), Quantity(parsing: "2Ki")].jsonString() == "[\"1\",\"2Ki\"]")
    }

    @Test(arguments: [
        ("\" 1\"", "1"), ("\"1 \"", "1"), ("1", "1"), (" 1", "1"), ("1 ", "1"), ("10", "10"), ("-1", "-1"),
        (" -1", "-1"), ("\"\\t100m\\n\"", "100m"), ("0.5", "500m"), ("2", "2"), ("1e3", "1k"), ("1.5", "1500m"),
        ("-0.25", "-250m"), ("1e-3", "1m"), ("100000000000000000000", "100E"), ("0.0000000001", "1n"),
        ("\"1Gi\"", "1Gi"), ("9223372036854775807", "9223372036854775807"), ("2.0", "2"), ("5e-324", "1n"),
        ("-9223372036854775808", "-9223372036854775808"), ("1.7976931348623157e308", "179769313486231570e291"),
    ])
    func decodes(_ json: String, _ expect: String) throws {
        #expect(try Quantity(jsonString: json).description == expect)
    }

    @Test func decodeErrors() {
        #expect(throws: JSONError.self) { try Quantity(jsonString: "\"abc\"") }
        #expect(throws: JSONError.self) { try Quantity(jsonString: "true") }
        #expect(throws: JSONError.self) { try Quantity(jsonString: "{}") }
        #expect(throws: JSONError.self) { try Quantity(jsonString: "\"\"") }
        do {
            _ = try Quantity(json: .string("12x"))
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("\"12x\""))
            #expect(error.message.contains("quantities must match the regular expression"))
        }
        do {
            _ = try Quantity(json: .bool(true))
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "expected quantity (string or number), got boolean true")
        }
    }

    @Test func decodesInsideObjects() throws {
        let limits = try [String: Quantity](jsonString: #"{"cpu": 2, "memory": "128Mi", "nvidia.com/gpu": "1"}"#)
        #expect(limits["cpu"]?.milliValue == 2000)
        #expect(limits["memory"]?.value == 128 << 20)
        #expect(limits.jsonString() == #"{"cpu":"2","memory":"128Mi","nvidia.com/gpu":"1"}"#)
        #expect(throws: JSONError.self) { try [String: Quantity](jsonString: #"{"cpu": "lots"}"#) }
    }

    @Test func randomRoundTrips() throws {
        // Like upstream TestJSON: random values in every format survive encode/decode by value.
        for _ in 0..<500 {
            let format = Quantity.Format.allCases.randomElement()!
            let value: Quantity
            switch Int.random(in: 0..<3) {
            case 0: value = Quantity(Int64.random(in: .min ... .max), format: format)
            case 1: value = Quantity(scaled: Int64.random(in: 0..<1024) << (10 * Int64.random(in: 0..<5)), scale: 0, format: format)
            default: value = Quantity(scaled: Int64.random(in: -1000..<1000), scale: Int.random(in: -9...9), format: format)
            }
            let json = value.jsonString()
            let back = try Quantity(jsonString: json)
            #expect(back == value, "\(json)")
        }
    }
}
