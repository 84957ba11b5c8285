using System.Globalization;
using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Readers for the two small CSV data sets that scikit-learn ships in sklearn/datasets/data/
/// (Debian: python3-sklearn, /usr/lib/python3/dist-packages/sklearn/datasets/data/).
/// <list type="bullet">
/// <item><c>digits.csv.gz</c> (Alpaydin &amp; Kaynak, UCI optdigits test part): 1797 lines, no header,
/// 65 comma-separated integers: 64 pixel counts 0..16 of an 8×8 image in row order, then the label 0..9.</item>
/// <item><c>iris.csv</c> (Fisher 1936): a header line "150,4,setosa,versicolor,virginica" (example count,
/// feature count, class names), then one line per example: 4 measurements in cm and the label 0..2.</item>
/// </list>
/// Gzip is detected by content, so either file may be plain or gzip-compressed.
/// </summary>
public static class SklearnCsv
{
    /// <summary>Where to get the files, appended to every error message.</summary>
    public const string HowToGet =
        "get it from scikit-learn's sklearn/datasets/data/ (Debian: apt-get install python3-sklearn, or apt-get download python3-sklearn && dpkg-deb -x python3-sklearn_*.deb DIR)";

    /// <summary>Loads scikit-learn's digits: 1797 × 64 features (raw counts 0..16), 10 classes, images 1×8×8.</summary>
    public static Dataset LoadDigits(string path, string name = "digits", string howToGet = HowToGet)
    {
        const int pixels = 64;
        var lines = Lines(path, howToGet);
        var features = new List<double>(lines.Count * pixels);
        var labels = new List<int>(lines.Count);
        foreach (var (lineNo, text) in lines)
        {
            var fields = text.Split(',');
            if (fields.Length != pixels + 1)
                throw new DataException($"{path}: line {lineNo} has {fields.Length} fields, expected {pixels + 1} (64 pixel values and a label); {howToGet}", path);
            for (int j = 0; j < pixels; j++)
            {
                double v = Number(path, lineNo, j, fields[j], howToGet);
                if (v < 0 || v > 16)
                    throw new DataException($"{path}: line {lineNo} field {j + 1} is {fields[j]}, expected a pixel count in 0..16; {howToGet}", path);
                features.Add(v);
            }
            labels.Add(Label(path, lineNo, pixels, fields[pixels], 10, howToGet));
        }
        if (labels.Count == 0)
            throw new DataException($"{path}: no data lines, expected 1797 lines of 65 values; {howToGet}", path);
        var names = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return new Dataset(name, Tensor<double>.Wrap(features.ToArray(), labels.Count, pixels), labels.ToArray(), 10,
                           new ImageShape(1, 8, 8), names, new ValueRange(0, 16));
    }

    /// <summary>
    /// Loads a scikit-learn CSV with a header "n,d,class names…" (iris.csv and the same layout of
    /// wine_data.csv and breast_cancer.csv): n lines of d numbers and an integer label.
    /// </summary>
    public static Dataset LoadWithHeader(string path, string name, string howToGet = HowToGet)
    {
        var lines = Lines(path, howToGet);
        if (lines.Count == 0)
            throw new DataException($"{path}: empty file, expected a header line \"n,d,class names\" and n data lines; {howToGet}", path);
        var (headerNo, headerText) = lines[0];
        var header = headerText.Split(',');
        if (header.Length < 3
            || !int.TryParse(header[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            || !int.TryParse(header[1], NumberStyles.None, CultureInfo.InvariantCulture, out int d) || d <= 0)
            throw new DataException($"{path}: header line {headerNo} is \"{Clip(headerText)}\", expected \"n,d,class names\" (e.g. 150,4,setosa,versicolor,virginica); {howToGet}", path);
        var classNames = header[2..].Select(s => s.Trim()).ToArray();
        int k = classNames.Length;
        if (lines.Count - 1 != n)
            throw new DataException($"{path}: {lines.Count - 1} data lines, expected {n} as the header says; {howToGet}", path);
        var features = new double[n * d];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            var (lineNo, text) = lines[i + 1];
            var fields = text.Split(',');
            if (fields.Length != d + 1)
                throw new DataException($"{path}: line {lineNo} has {fields.Length} fields, expected {d + 1} ({d} features and a label); {howToGet}", path);
            for (int j = 0; j < d; j++) features[i * d + j] = Number(path, lineNo, j, fields[j], howToGet);
            labels[i] = Label(path, lineNo, d, fields[d], k, howToGet);
        }
        return new Dataset(name, Tensor<double>.Wrap(features, n, d), labels, k, null, classNames, null);
    }

    /// <summary>Loads iris.csv: 150 × 4 measurements in cm, 3 classes (setosa, versicolor, virginica).</summary>
    public static Dataset LoadIris(string path, string name = "iris", string howToGet = HowToGet) =>
        LoadWithHeader(path, name, howToGet);

    /// <summary>Non-empty lines with their 1-based line numbers.</summary>
    private static List<(int LineNo, string Text)> Lines(string path, string howToGet)
    {
        var text = DataFile.ReadAllText(path, howToGet);
        var result = new List<(int, string)>();
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length > 0) result.Add((lineNo, line));
        }
        return result;
    }

    private static double Number(string path, int lineNo, int field, string text, string howToGet)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new DataException($"{path}: line {lineNo} field {field + 1} is \"{Clip(text)}\", expected a finite number; {howToGet}", path);
        return v;
    }

    private static int Label(string path, int lineNo, int field, string text, int classCount, string howToGet)
    {
        // Labels are written as integers ("2"); accept "2.0" too, as numpy.savetxt writes it.
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            || v != Math.Floor(v) || v < 0 || v >= classCount)
            throw new DataException($"{path}: line {lineNo} field {field + 1} is \"{Clip(text)}\", expected a class label in 0..{classCount - 1}; {howToGet}", path);
        return (int)v;
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
