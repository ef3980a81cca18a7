#version 330 core
// Ray-sphere intersection from the eye (origin of view space) through the
// fragment; exact silhouette and depth, Blinn-Phong shading.
in vec3 vpos;
flat in vec3 vcenter;
flat in float vrad;
flat in vec3 vcol;
uniform mat4 proj;
out vec4 frag;
void main()
{
    vec3 d = normalize(vpos);
    float b = dot(d, vcenter);
    float c = dot(vcenter, vcenter) - vrad * vrad;
    float disc = b * b - c;
    if (disc < 0.0)
        discard;
    vec3 hit = d * (b - sqrt(disc));
    vec3 n = normalize(hit - vcenter);
    vec3 L = normalize(vec3(0.4, 0.6, 1.0));
    float diff = max(dot(n, L), 0.0);
    float spec = pow(max(dot(n, normalize(L - d)), 0.0), 40.0);
    frag = vec4(vcol * (0.3 + 0.7 * diff) + vec3(0.3 * spec), 1.0);
    vec4 clip = proj * vec4(hit, 1.0);
    gl_FragDepth = 0.5 * (clip.z / clip.w) + 0.5;
}
