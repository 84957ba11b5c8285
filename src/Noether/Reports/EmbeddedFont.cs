using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace Noether.Reports;

/// <summary>
/// DejaVu Sans (regular and bold) carried inside the assembly and made ScottPlot's only font, so a
/// plot has legible text on a machine with no fonts installed (a CI container, a bare server): the
/// Linux SkiaSharp build we ship looks for fonts only in the system font folders and otherwise draws
/// no glyphs at all. Licence: Reports/Fonts/LICENSE-DejaVu.txt.
/// </summary>
public static class EmbeddedFont
{
    /// <summary>The family name plots ask for; the resolver answers it from the embedded files.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly Lazy<SKTypeface> RegularFace = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> BoldFace = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly object Gate = new();
    private static bool _installed;

    /// <summary>The embedded regular face.</summary>
    public static SKTypeface Regular => RegularFace.Value;

    /// <summary>The embedded bold face (plot titles).</summary>
    public static SKTypeface Bold => BoldFace.Value;

    /// <summary>
    /// Puts the embedded resolver first in ScottPlot's list and points every default font name at it.
    /// Idempotent; call before building a plot (labels copy the default font name when created).
    /// </summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            Fonts.FontResolvers.Insert(0, new Resolver());
            Fonts.Default = Fonts.Sans = Fonts.Serif = Fonts.Monospace = Family;
            _installed = true;
        }
    }

    private static SKTypeface Load(string file)
    {
        string name = "Noether.Reports.Fonts." + file;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded font resource {name} is missing from {Assembly.GetExecutingAssembly().GetName().Name}");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var face = SKTypeface.FromData(SKData.CreateCopy(bytes));
        if (face is null || face.GlyphCount == 0)
            throw new InvalidOperationException($"embedded font {file} could not be loaded by SkiaSharp");
        return face;
    }

    /// <summary>Answers every request for <see cref="Family"/>; other names fall through to ScottPlot's system resolver.</summary>
    private sealed class Resolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            Matches(fontName) ? (weight >= FontWeight.SemiBold ? Bold : Regular) : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            Matches(fontName) ? (bold ? Bold : Regular) : null;

        private static bool Matches(string fontName) => string.Equals(fontName, Family, StringComparison.OrdinalIgnoreCase);
    }
}
