#version 330 core
in vec3 vcol;
out vec4 frag;
void main()
{
    frag = vec4(vcol, 1.0);
}
